export * from "./types.js";
export { Schema, SCHEMA_ENGINE_VERSION, type SchemaUpdate, type StoredSchema, type TableUpdate } from "./schema.js";
export * from "./system-tables.js";
