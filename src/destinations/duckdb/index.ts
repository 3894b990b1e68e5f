export { DuckDbDestination, DUCKDB_CAPABILITIES, duckdb, type DuckDbOptions } from "./factory.js";
