import type { ResultRow } from "../destination.js";
import { dbxQuote } from "./dialect.js";

/**
 * A change to a stored table's rows beyond appending: what merge, reconciliation, a superseded
 * row and the state trim need. It is declared once and written two ways, by the table's provider:
 *
 * * a Delta table (every table Databricks makes by default) runs it as DML: `DELETE`, `UPDATE`,
 *   or for `deleteLinked` a `MERGE ... WHEN MATCHED THEN DELETE`, because Databricks' DELETE and
 *   UPDATE take no subquery inside a subquery and the rows to delete are found through one. Delta
 *   rewrites only the files holding matched rows (or marks them in deletion vectors), one commit;
 * * any other table (Parquet, as on Apache Spark without Delta, or a legacy Hive-format table)
 *   cannot DELETE or UPDATE, so it is rebuilt: the rows it keeps, changed, go to a copy in the
 *   staging schema, then `INSERT OVERWRITE` from the copy replaces its contents. The copy is needed
 *   because Spark refuses to overwrite a table the same statement reads (UNSUPPORTED_OVERWRITE.TABLE).
 *   A rebuild writes the whole table twice, so it runs only when a probe finds a row to change.
 *
 * Both are idempotent: run again, a change finds nothing left to change (a delete) or sets the
 * same value again (an update); a rebuild interrupted before its overwrite left the table as it
 * was, and its copy is made anew.
 */
export type RowChange =
  /** Delete the rows of `table` (qualified, read as `alias` when given) where `where` holds. */
  | { kind: "delete"; table: string; alias?: string; where: string }
  /** Delete the rows of `table` whose `column` is one of the values `ids` selects (a query of one column named `id`). */
  | { kind: "deleteLinked"; table: string; column: string; ids: string }
  /** Set `column` to `value` (an SQL expression) in the rows of `table` where `where` holds. */
  | { kind: "update"; table: string; alias?: string; column: string; value: string; where: string };

/** A commit step: a statement every provider runs as it is, or a row change written per provider. */
export type CommitStep = string | RowChange;

/** What the commit reads of a stored table before changing its rows (`DESCRIBE TABLE EXTENDED`). */
export interface TableFacts {
  /** `delta`, `parquet`, `hive`, ... lower-cased. */
  provider: string;
  /** The table's columns in their stored order. */
  columns: string[];
}

/**
 * Facts from `DESCRIBE TABLE EXTENDED`'s rows: the columns come first and end at the first blank or
 * `# ...` row (the detailed, partition or clustering sections follow); `Provider` is read only
 * after `# Detailed Table Information`, so a column named Provider is never taken for it.
 */
export function tableFacts(rows: ResultRow[], table: string): TableFacts {
  const name = (r: ResultRow) => (typeof r.col_name === "string" ? r.col_name.trim() : "");
  const columns: string[] = [];
  let i = 0;
  for (; i < rows.length; i++) {
    const n = name(rows[i]!);
    if (n === "" || n.startsWith("#")) break;
    columns.push(rows[i]!.col_name as string);
  }
  const detailed = rows.findIndex((r, k) => k >= i && name(r) === "# Detailed Table Information");
  const provider = detailed < 0 ? undefined : rows.slice(detailed).find((r) => name(r) === "Provider");
  if (!provider || columns.length === 0) {
    throw new Error(`DESCRIBE TABLE EXTENDED ${table} did not show the table's columns and provider`);
  }
  return { provider: String(provider.data_type).trim().toLowerCase(), columns };
}

/** Only Delta tables take DELETE, UPDATE and MERGE here; a rebuild serves every other provider. */
export function runsDml(facts: TableFacts): boolean {
  return facts.provider === "delta";
}

function from(table: string, alias?: string): string {
  return alias ? `${table} AS ${alias}` : table;
}

/** The condition under which a row is changed, as a WHERE (NULL counts as false, as in DELETE). */
function condition(c: RowChange): string {
  return c.kind === "deleteLinked" ? `${dbxQuote(c.column)} IN (${c.ids})` : c.where;
}

/** The one DML statement of a change on a Delta table. */
export function dmlSql(c: RowChange): string {
  switch (c.kind) {
    case "delete":
      return `DELETE FROM ${from(c.table, c.alias)} WHERE ${c.where}`;
    case "deleteLinked":
      return `MERGE INTO ${c.table} AS _dlt_target USING (${c.ids}) AS _dlt_gone ON _dlt_target.${dbxQuote(c.column)} = _dlt_gone.id WHEN MATCHED THEN DELETE`;
    case "update":
      return `UPDATE ${from(c.table, c.alias)} SET ${dbxQuote(c.column)} = ${c.value} WHERE ${c.where}`;
  }
}

/** A rebuild: the probe that says whether any row would change, then the statements that rebuild. */
export interface Rebuild {
  probe: string;
  statements: string[];
}

/** A change on a table that cannot run DML, by way of `copy` (a qualified table in the staging schema). */
export function rebuildSql(c: RowChange, facts: TableFacts, copy: string): Rebuild {
  const alias = c.kind === "deleteLinked" ? undefined : c.alias;
  const source = from(c.table, alias);
  const hit = `COALESCE((${condition(c)}), FALSE)`;
  const cols = facts.columns.map(dbxQuote);
  const select =
    c.kind === "update"
      ? facts.columns
          .map((n) =>
            n === c.column ? `CASE WHEN ${hit} THEN ${c.value} ELSE ${dbxQuote(n)} END AS ${dbxQuote(n)}` : dbxQuote(n),
          )
          .join(", ")
      : cols.join(", ");
  const kept = c.kind === "update" ? "" : ` WHERE NOT ${hit}`;
  return {
    probe: `SELECT 1 AS x FROM ${source} WHERE ${condition(c)} LIMIT 1`,
    statements: [
      `DROP TABLE IF EXISTS ${copy}`,
      `CREATE TABLE ${copy} AS SELECT ${select} FROM ${source}${kept}`,
      `INSERT OVERWRITE TABLE ${c.table} (${cols.join(", ")}) SELECT ${cols.join(", ")} FROM ${copy}`,
    ],
  };
}
