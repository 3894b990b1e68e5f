import type { Column, Table } from "../../schema/types.js";
import type { SqlConnection } from "./sql-connection.js";

/** What differs between SQL destinations; everything else lives in `sql/` and is shared. */
export interface SqlDialect {
  readonly name: string;
  quote(identifier: string): string;
  /** The column type in DDL, e.g. `DECIMAL(38,9)`, `TIMESTAMP WITH TIME ZONE`. */
  columnType(column: Column): string;
  /** `ALTER TABLE ... ADD COLUMN IF NOT EXISTS` is in both DuckDB and Postgres; others may differ. */
  addColumn(qualifiedTable: string, column: Column): string;
  /**
   * Create a temporary staging table named `staging` holding the rows of `files` with the
   * columns of `table`, typed, plus an ordinal column (`sequenceColumn`) that preserves file
   * order so that merge can keep the last occurrence of a key.
   */
  stage(conn: SqlConnection, staging: string, table: Table, files: string[]): Promise<void>;
  readonly sequenceColumn: string;
  /** Text literal for a timestamp value in `now()`-free SQL. */
  literal(value: string | number | boolean | null): string;
}
