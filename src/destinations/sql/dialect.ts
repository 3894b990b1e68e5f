import type { Column, Table } from "../../schema/types.js";
import type { LoadJob } from "../destination.js";
import type { SqlConnection } from "./sql-connection.js";

/**
 * How a package's rows get into the dataset: one declared way per dialect.
 *
 * * `read-in-place`: a relation reads the load files where they are (DuckDB's read_json); every
 *   write disposition selects from it. No copy of the rows is made.
 * * `copy`: the files are copied into a table (Postgres' COPY). Append, replace and merge without
 *   keys need no deduplication, so the rows go straight into the dataset table, written once;
 *   merge copies them into a temporary staging table first (created from the table's columns).
 */
export type Ingest<C extends SqlConnection = SqlConnection> =
  | {
      readonly kind: "read-in-place";
      /** `SELECT <the table's columns> FROM <the files>`. */
      select(table: Table, jobs: LoadJob[]): string;
    }
  | {
      readonly kind: "copy";
      /**
       * Copy the rows of `jobs` into `target` (a qualified table with the table's columns).
       * `loadId` is the package's: a copy through a staging bucket keys its files by it.
       */
      copy(conn: C, target: string, table: Table, jobs: LoadJob[], loadId: string): Promise<void>;
    };

/**
 * What differs between SQL destinations; everything else lives in `sql/` and is shared. `C` is
 * the connection the dialect's ingest needs (Postgres: a session that can COPY), so the job
 * client hands it the right one by type, not by a check at run time.
 */
export interface SqlDialect<C extends SqlConnection = SqlConnection> {
  readonly name: string;
  quote(identifier: string): string;
  /** The column type in DDL, e.g. `DECIMAL(38,9)`, `TIMESTAMP WITH TIME ZONE`. */
  columnType(column: Column): string;
  /** `ALTER TABLE ... ADD COLUMN IF NOT EXISTS` is in both DuckDB and Postgres; others may differ. */
  addColumn(qualifiedTable: string, column: Column): string;
  /** A SQL literal. */
  literal(value: string | number | boolean | null): string;
  readonly ingest: Ingest<C>;
  /**
   * Redshift's DELETE takes no table alias (`DELETE FROM t AS d` is a syntax error there): merge
   * then names the target by its qualified name in the correlated subquery.
   */
  readonly deleteWithoutAlias?: boolean;
  /**
   * The longest text value, in bytes, when the text type has a limit (Redshift: 65535). A stored
   * schema longer than that goes to `_dlt_version` as base64(zlib(json)), as dlt does.
   */
  readonly maxTextBytes?: number;
  /**
   * A statement run right after BEGIN that makes concurrent loads into one dataset wait for each
   * other (Postgres: a transaction-scoped advisory lock), so the "already loaded?" check inside
   * the transaction cannot race. Absent where the database allows one writer anyway (DuckDB).
   */
  lockDatasetSql?(datasetName: string): string;
  /**
   * Any DDL statement commits the open transaction (Snowflake). The write dispositions then run
   * DML only: merge keeps its key set in a subquery rather than a temporary table.
   */
  readonly ddlCommits?: boolean;
}
