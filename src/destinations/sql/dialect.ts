import type { Column, Table } from "../../schema/types.js";
import type { LoadJob } from "../destination.js";
import type { SqlConnection } from "./sql-connection.js";

/**
 * What differs between SQL destinations; everything else lives in `sql/` and is shared.
 *
 * How the package's rows get in: a dialect implements `source` (a relation that reads the load
 * files in place: DuckDB's read_json) or `stage` (copy them into a temporary table: Postgres'
 * COPY). `insertFiles` is an optional fast path for append and replace, which need no
 * deduplication: the rows go straight into the dataset table (COPY into the target), written
 * once instead of twice. Merge always reads through `source`/`stage`.
 */
export interface SqlDialect {
  readonly name: string;
  quote(identifier: string): string;
  /** The column type in DDL, e.g. `DECIMAL(38,9)`, `TIMESTAMP WITH TIME ZONE`. */
  columnType(column: Column): string;
  /** `ALTER TABLE ... ADD COLUMN IF NOT EXISTS` is in both DuckDB and Postgres; others may differ. */
  addColumn(qualifiedTable: string, column: Column): string;
  source?(table: Table, jobs: LoadJob[]): string;
  stage?(conn: SqlConnection, staging: string, table: Table, jobs: LoadJob[]): Promise<void>;
  insertFiles?(conn: SqlConnection, qualifiedTable: string, table: Table, jobs: LoadJob[]): Promise<void>;
  /**
   * Optional: a statement run right after BEGIN that makes concurrent loads into one dataset wait
   * for each other (Postgres: a transaction-scoped advisory lock), so the "already loaded?" check
   * inside the transaction cannot race.
   */
  lockDatasetSql?(datasetName: string): string;
  /** A SQL literal. */
  literal(value: string | number | boolean | null): string;
}
