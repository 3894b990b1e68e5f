export { PostgresDestination, POSTGRES_CAPABILITIES, destinationFromConfig, postgres, type PostgresOptions } from "./factory.js";
export { POSTGRES_SPEC } from "./spec.js";
export type { PostgresCredentials } from "./credentials.js";
export type { PgliteLike } from "./pglite-connection.js";
