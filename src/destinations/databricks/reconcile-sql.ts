import type { Schema } from "../../schema/schema.js";
import { C_ID, C_ROOT_ID } from "../../schema/system-tables.js";
import type { Column, Table } from "../../schema/types.js";
import type { ReconcileJob, ReconcileResult, ResultRow } from "../destination.js";
import { liveSql, reconcileResultFor } from "../sql/index.js";
import { dbxLiteral, dbxQuote, fileValueExpr } from "./dialect.js";
import type { CommitStep } from "./row-changes.js";

/** Every key set's keys, in one per-load staging table filled from a file like the package's rows. */
export const KEYS_TABLE: Table = {
  name: "_dlt_keys",
  writeDisposition: "append",
  columns: {
    key_set: { name: "key_set", dataType: "bigint", nullable: false },
    id: { name: "id", dataType: "text", nullable: false },
  },
};

/** What each set found before it changed anything; kept across reruns of one load, dropped after its commit. */
export const COUNTS_COLUMNS = "key_set BIGINT NOT NULL, removed BIGINT NOT NULL, marked BIGINT NOT NULL, live BIGINT NOT NULL";

export interface ReconcileContext {
  schema: Schema;
  /** Qualified dataset table. */
  qualified: (table: string) => string;
  /** The qualified per-load tables: the keys (KEYS_TABLE) and the counts (COUNTS_COLUMNS). */
  tables: { keys: string; counts: string };
  /** A query's rows in the shared values (numbers as numbers). */
  select: (sql: string) => Promise<ResultRow[]>;
  execute: (sql: string) => Promise<void>;
  /** Run a commit step: a statement, or a row change as the table's provider takes it (row-changes.ts). */
  apply: (step: CommitStep) => Promise<void>;
}

const T = "_dlt_target";
const K = "_dlt_key";

function literal(v: string | number | boolean): string {
  if (typeof v === "string") return dbxLiteral(v);
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  return String(v);
}

/** The mark's value as the column's type, by the same casts the load files' values take. */
function markValue(mark: Column, at: string): string {
  return mark.dataType === "bool" ? "TRUE" : fileValueExpr(mark, dbxLiteral(at));
}

/**
 * Key set number `n`, after the package's rows are in, with the semantics of `sql/reconcile.ts`
 * (DuckDB, Postgres) and BigQuery's: the root rows of the part whose key is not listed are removed
 * with their child rows (a hard deletion or a replace) or marked, and the part's live rows counted.
 * Nothing spans statements on Databricks, so the step is idempotent as BigQuery's is: the counts
 * are taken first, from the rows before this set changes them, and stored under `n`; a rerun
 * reads them back rather than counting a state the first attempt changed, then applies the change
 * again (the same condition finds nothing left to delete, and marks with the same value).
 *
 * "Not listed" is `NOT EXISTS` against the keys table with a non-NULL key, which is `NOT IN`'s
 * meaning here (the keys are never NULL) in the form Databricks' DELETE and UPDATE take best; a
 * row whose key or partition is NULL is neither gone nor in the part, as in the other engines.
 */
export async function reconcileKeySet(c: ReconcileContext, job: ReconcileJob, n: number): Promise<ReconcileResult> {
  const result = reconcileResultFor(job);
  const root = c.schema.get(job.table);
  if (!root || Object.keys(root.columns).length === 0 || !root.columns[job.keyColumn]) return result;
  const target = c.qualified(root.name);
  const part = Object.entries(job.partition).map(([col, v]) => `${T}.${dbxQuote(col)} = ${literal(v)}`);
  const inPart = part.length > 0 ? part.join(" AND ") : "TRUE";
  const key = `${T}.${dbxQuote(job.keyColumn)}`;
  const gone = `${inPart} AND ${key} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${c.tables.keys} AS ${K} WHERE ${K}.key_set = ${n} AND ${K}.id = CAST(${key} AS STRING))`;
  const live = liveSql({ quote: dbxQuote }, root, job);
  const mark = root.columns[job.deletion.column];
  const remove = job.mode === "replace" || job.deletion.hard || !mark;

  const stored = await c.select(`SELECT removed, marked, live FROM ${c.tables.counts} WHERE key_set = ${n}`);
  if (stored[0]) {
    result.removed = Number(stored[0].removed);
    result.marked = Number(stored[0].marked);
    result.live = Number(stored[0].live);
  } else {
    const [counts] = await c.select(
      `SELECT COUNT_IF(${gone}) AS gone, COUNT_IF((${gone}) AND ${live}) AS gone_live, COUNT_IF(${inPart} AND ${live}) AS live FROM ${target} AS ${T}`,
    );
    const goneRows = Number(counts?.gone ?? 0);
    const goneLive = Number(counts?.gone_live ?? 0);
    if (remove) result.removed = goneRows;
    else result.marked = goneLive;
    // Live after the change: the gone rows that were live are removed or marked either way.
    result.live = Number(counts?.live ?? 0) - goneLive;
    await c.execute(
      `INSERT INTO ${c.tables.counts} (key_set, removed, marked, live) VALUES (${n}, ${result.removed}, ${result.marked}, ${result.live})`,
    );
  }

  if (remove && result.removed > 0) {
    for (const child of [...c.schema.descendants(root.name)].reverse()) {
      await c.apply({
        kind: "deleteLinked",
        table: c.qualified(child.name),
        column: C_ROOT_ID,
        ids: `SELECT ${T}.${dbxQuote(C_ID)} AS id FROM ${target} AS ${T} WHERE ${gone}`,
      });
    }
    await c.apply({ kind: "delete", table: target, alias: T, where: gone });
  } else if (mark && result.marked > 0) {
    await c.apply({
      kind: "update",
      table: target,
      alias: T,
      column: mark.name,
      value: markValue(mark, job.deletion.at),
      where: `(${gone}) AND ${live}`,
    });
  }
  return result;
}
