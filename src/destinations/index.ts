export type {
  Capabilities,
  ConnectOptions,
  Destination,
  DestinationClient,
  LoadRequest,
  ResultRow,
  StateRow,
  DestinationModule,
} from "./destination.js";
export { CapabilitiesBase } from "./destination.js";
export { importOptional } from "./optional-import.js";
export { QUERY_SPEC, QueryError, type QueryAnswer, type QueryOptions, type QuerySession } from "./query-session.js";
export { registerDestination, resolveDestination, destinationNames, type DestinationFactory } from "./registry.js";
export { SqlJobClient, LoadError, type Ingest, type SqlDialect, type SqlConnection } from "./sql/index.js";
// Factories: importing them loads no driver (drivers load on first connect).
export { duckdb, type DuckDbOptions } from "./duckdb/index.js";
export { postgres, type PostgresOptions, type PostgresCredentials, type PgliteLike } from "./postgres/index.js";
export { filesystem, type FilesystemOptions, type S3Credentials } from "./filesystem/index.js";
