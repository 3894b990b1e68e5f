export {
  SnowflakeDestination,
  SNOWFLAKE_CAPABILITIES,
  STAGING_SCHEMES,
  destinationFromConfig,
  snowflake,
  type SnowflakeOptions,
  type SnowflakeStaging,
} from "./factory.js";
export { type SnowflakeBucketAccess, snowflakeBucketAccess } from "./bucket-access.js";
export { SnowflakeClient } from "./client.js";
export { SnowflakeConnection, SNOWFLAKE_SESSION_SETUP, type SnowflakeEndpoint } from "./connection.js";
export { type SnowflakeCredentials, parseSnowflakeUrl } from "./credentials.js";
export { quoteSnowflake, snowflakeColumnType, snowflakeDialect } from "./dialect.js";
export { SNOWFLAKE_SPEC } from "./spec.js";
