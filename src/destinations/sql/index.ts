export { SqlJobClient, LoadError } from "./job-client.js";
export type { Ingest, SqlDialect } from "./dialect.js";
export type { SqlConnection } from "./sql-connection.js";
export { createTableSql, orderedColumns } from "./ddl.js";
export { appendSql, clearChainSql, hasMergeKeys, mergeSql, replaceSql, type ChainSql } from "./dispositions.js";
export { ansiIdentifiersTo } from "./ansi-identifiers.js";
export { liveSql, reconcileResultFor } from "./reconcile.js";
