export { PostgresDestination, POSTGRES_CAPABILITIES, postgres, type PostgresOptions } from "./factory.js";
export type { PostgresCredentials } from "./credentials.js";
export type { PgliteLike } from "./pglite-connection.js";
