export { DuckDbDestination, DUCKDB_CAPABILITIES, destinationFromConfig, duckdb, type DuckDbOptions } from "./factory.js";
export { DUCKDB_SPEC } from "./spec.js";
