export {
  DatabricksDestination,
  DATABRICKS_CAPABILITIES,
  databricks,
  destinationFromConfig,
  STAGING_SCHEMES,
  type DatabricksCredentials,
  type DatabricksOptions,
  type DatabricksStaging,
} from "./factory.js";
export { DatabricksClient, type FileSourceFactory } from "./client.js";
export { DatabricksConnection, DatabricksStatementError, type DatabricksSettings } from "./connection.js";
export { BucketFiles, VolumeFiles, copyIntoSql, fileSelectList, type FileSource } from "./file-sources.js";
export { chainStatements } from "./commit-sql.js";
export { dbxColumnType, dbxLiteral, dbxQuote } from "./dialect.js";
export { DATABRICKS_SPEC } from "./spec.js";
