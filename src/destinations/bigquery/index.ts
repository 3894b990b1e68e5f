export {
  BigQueryDestination,
  BIGQUERY_CAPABILITIES,
  bigquery,
  destinationFromConfig,
  type BigQueryCredentials,
  type BigQueryOptions,
} from "./factory.js";
export { BigQueryClient, type FileStager } from "./client.js";
export { BigQueryConnection } from "./connection.js";
export { BIGQUERY_SPEC } from "./spec.js";
