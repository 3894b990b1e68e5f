import type { Schema } from "../../schema/schema.js";
import { C_ID, C_ROOT_ID } from "../../schema/system-tables.js";
import type { Column } from "../../schema/types.js";
import type { ReconcileJob, ReconcileResult } from "../destination.js";
import type { BigQueryConnection, QueryParams } from "./connection.js";
import { liveSql, reconcileResultFor } from "../sql/index.js";
import { bqColumnType, bqQuote } from "./dialect.js";

/** The per-load tables the key sets use, in the staging dataset (both dropped after the commit). */
export interface ReconcileTables {
  /** `(key_set INT64, id STRING)`: every set's keys, filled by one load job. */
  keys: string;
  /** `(key_set INT64, removed INT64, marked INT64, live INT64)`: what each set found, before it changed anything. */
  counts: string;
}

export const KEYS_COLUMNS = "key_set INT64 NOT NULL, id STRING NOT NULL";
export const COUNTS_COLUMNS = "key_set INT64 NOT NULL, removed INT64 NOT NULL, marked INT64 NOT NULL, live INT64 NOT NULL";

export interface ReconcileContext {
  conn: BigQueryConnection;
  schema: Schema;
  /** Qualified dataset table. */
  qualified: (table: string) => string;
  tables: ReconcileTables;
}

/** The mark's value as the column's type (a naive timestamp is the UTC wall time, as loaded). */
function markValue(mark: Column): string {
  if (mark.dataType === "bool") return "TRUE";
  if (mark.dataType === "timestamp") return mark.timezone === false ? "DATETIME(TIMESTAMP(@at), 'UTC')" : "TIMESTAMP(@at)";
  return `CAST(@at AS ${bqColumnType(mark)})`;
}

/**
 * Key set number `n`, after the package's rows are in, as `sql/reconcile.ts` does it inside a
 * transaction: the root rows of the part whose key is not listed are removed with their child
 * rows (a hard deletion or a replace) or marked, and the part's live rows counted. BigQuery has no
 * transaction here, so the step is made idempotent the other way round: the counts are taken
 * first, from the rows as they stand before this set changes them, and stored under `n` in the
 * counts table; then the change is applied (DELETE and UPDATE by the same condition find nothing
 * left on a rerun). A rerun after a crash reads the stored counts rather than counting a state the
 * first attempt already changed, so LoadInfo reports what one uninterrupted run would.
 */
export async function reconcileKeySet(c: ReconcileContext, job: ReconcileJob, n: number): Promise<ReconcileResult> {
  const result = reconcileResultFor(job);
  const root = c.schema.get(job.table);
  if (!root || Object.keys(root.columns).length === 0 || !root.columns[job.keyColumn]) return result;
  const target = c.qualified(root.name);
  const params: QueryParams = {};
  const part = Object.entries(job.partition).map(([col, v], i) => {
    params[`p${i}`] = v;
    return `${bqQuote(col)} = @p${i}`;
  });
  const inPart = part.length > 0 ? part.join(" AND ") : "TRUE";
  const gone = `${inPart} AND CAST(${bqQuote(job.keyColumn)} AS STRING) NOT IN (SELECT id FROM ${c.tables.keys} WHERE key_set = ${n})`;
  const live = liveSql({ quote: bqQuote }, root, job);
  const mark = root.columns[job.deletion.column];
  const remove = job.mode === "replace" || job.deletion.hard || !mark;

  const stored = await c.conn.query(`SELECT removed, marked, live FROM ${c.tables.counts} WHERE key_set = ${n}`);
  if (stored[0]) {
    result.removed = Number(stored[0].removed);
    result.marked = Number(stored[0].marked);
    result.live = Number(stored[0].live);
  } else {
    // COUNTIF counts only TRUE: a row whose key or partition is NULL is neither gone nor in the part.
    const [counts] = await c.conn.query(
      `SELECT COUNTIF(${gone}) AS gone, COUNTIF((${gone}) AND ${live}) AS gone_live, COUNTIF(${inPart} AND ${live}) AS live FROM ${target}`,
      params,
    );
    const goneRows = Number(counts?.gone ?? 0);
    const goneLive = Number(counts?.gone_live ?? 0);
    if (remove) result.removed = goneRows;
    else result.marked = goneLive;
    // Live after the change: the gone rows that were live are removed or marked either way.
    result.live = Number(counts?.live ?? 0) - goneLive;
    await c.conn.execute(
      `INSERT INTO ${c.tables.counts} (key_set, removed, marked, live) VALUES (${n}, ${result.removed}, ${result.marked}, ${result.live})`,
    );
  }

  if (remove && result.removed > 0) {
    for (const child of [...c.schema.descendants(root.name)].reverse()) {
      await c.conn.execute(
        `DELETE FROM ${c.qualified(child.name)} WHERE ${bqQuote(C_ROOT_ID)} IN (SELECT ${bqQuote(C_ID)} FROM ${target} WHERE ${gone})`,
        params,
      );
    }
    await c.conn.execute(`DELETE FROM ${target} WHERE ${gone}`, params);
  } else if (mark && result.marked > 0) {
    await c.conn.execute(`UPDATE ${target} SET ${bqQuote(mark.name)} = ${markValue(mark)} WHERE ${gone} AND ${live}`, {
      ...params,
      ...(mark.dataType === "bool" ? {} : { at: job.deletion.at }),
    });
  }
  return result;
}
