export * from "./types.js";
export { Schema, SCHEMA_ENGINE_VERSION, type StoredSchema } from "./schema.js";
export * from "./system-tables.js";
export { columnType, diffSchemas, type ColumnChange, type SchemaDiff } from "./schema-diff.js";
