export {
  BigQueryDestination,
  BIGQUERY_CAPABILITIES,
  bigquery,
  destinationFromConfig,
  STAGING_SCHEMES,
  type BigQueryCredentials,
  type BigQueryOptions,
} from "./factory.js";
export { BigQueryClient } from "./client.js";
export { BigQueryConnection } from "./connection.js";
export { BIGQUERY_SPEC } from "./spec.js";
