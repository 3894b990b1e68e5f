export {
  RedshiftDestination,
  REDSHIFT_CAPABILITIES,
  destinationFromConfig,
  STAGING_SCHEMES,
  redshift,
  type RedshiftOptions,
  type RedshiftStagingOptions,
} from "./factory.js";
export { REDSHIFT_SPEC } from "./spec.js";
export { REDSHIFT_ENGINE, type RedshiftEngine } from "./connection.js";
export { REDSHIFT_TYPES, redshiftDialect, type RedshiftTypes } from "./dialect.js";
export { REDSHIFT_SPELLING, type ValueSpelling } from "./insert-values.js";
export { copyFromS3Sql } from "./s3-copy.js";
