import type { Schema } from "../../schema/schema.js";
import { C_ID, C_ROOT_ID } from "../../schema/system-tables.js";
import type { Table } from "../../schema/types.js";
import type { ReconcileJob, ReconcileResult } from "../destination.js";
import type { SqlDialect } from "./dialect.js";
import type { SqlConnection } from "./sql-connection.js";

export interface ReconcileContext {
  conn: SqlConnection;
  dialect: SqlDialect;
  schema: Schema;
  qualified: (table: string) => string;
  /** Creates a temporary table `(id VARCHAR)` holding `ids`; returns its name. */
  idTable: (name: string, ids: string[]) => Promise<string>;
  temp: string;
}

/** `SQL NOT marked deleted` for a row of `table`, by the deletion column (absent: every row is live). */
export function liveSql(d: Pick<SqlDialect, "quote">, table: Table, job: ReconcileJob): string {
  const col = table.columns[job.deletion.column];
  if (!col) return "TRUE";
  return col.dataType === "bool" ? `COALESCE(${d.quote(col.name)}, FALSE) = FALSE` : `${d.quote(col.name)} IS NULL`;
}

/** What a key set reports before anything is counted: the source's side filled in, nothing found yet. */
export function reconcileResultFor(job: ReconcileJob): ReconcileResult {
  return {
    resource: job.resource,
    table: job.table,
    partition: job.partition,
    ...(job.label !== undefined ? { label: job.label } : {}),
    ...(job.total !== undefined ? { total: job.total } : {}),
    listed: job.count,
    removed: 0,
    marked: 0,
    live: 0,
    mode: job.mode,
  };
}

/**
 * One key set, inside the load transaction and after the package's rows are in: the table's
 * rows of the part whose key is not listed are removed (with their child rows, by
 * `_dlt_root_id`) for a hard deletion or a replace, else marked (the deletion column set to the
 * source's time, or to true), as the source's own deletions are; then the part's live rows are
 * counted, the other half of the reconciliation.
 */
export async function reconcileTable(c: ReconcileContext, job: ReconcileJob): Promise<ReconcileResult> {
  const d = c.dialect;
  const result = reconcileResultFor(job);
  const root = c.schema.get(job.table);
  if (!root || Object.keys(root.columns).length === 0 || !root.columns[job.keyColumn]) return result;
  const target = c.qualified(root.name);
  const params: unknown[] = [];
  const part = Object.entries(job.partition).map(([col, v]) => {
    params.push(v);
    return `${d.quote(col)} = $${params.length}`;
  });
  const inPart = part.length > 0 ? part.join(" AND ") : "TRUE";
  const keys = await c.idTable(`${c.temp}_keys`, job.keys);
  const gone = `${inPart} AND CAST(${d.quote(job.keyColumn)} AS VARCHAR) NOT IN (SELECT id FROM ${keys})`;
  const live = liveSql(d, root, job);
  const mark = root.columns[job.deletion.column];
  const count = async (where: string) =>
    Number((await c.conn.query(`SELECT COUNT(*) AS n FROM ${target} WHERE ${where}`, params))[0]?.n ?? 0);

  if (job.mode === "replace" || job.deletion.hard || !mark) {
    result.removed = await count(gone);
    if (result.removed > 0) {
      for (const child of [...c.schema.descendants(root.name)].reverse()) {
        await c.conn.execute(
          `DELETE FROM ${c.qualified(child.name)} WHERE ${d.quote(C_ROOT_ID)} IN (SELECT ${d.quote(C_ID)} FROM ${target} WHERE ${gone})`,
          params,
        );
      }
      await c.conn.execute(`DELETE FROM ${target} WHERE ${gone}`, params);
    }
  } else {
    result.marked = await count(`${gone} AND ${live}`);
    if (result.marked > 0) {
      const value = mark.dataType === "bool" ? "TRUE" : `CAST($${params.length + 1} AS ${d.columnType(mark)})`;
      await c.conn.execute(
        `UPDATE ${target} SET ${d.quote(mark.name)} = ${value} WHERE ${gone} AND ${live}`,
        mark.dataType === "bool" ? params : [...params, job.deletion.at],
      );
    }
  }
  result.live = await count(`${inPart} AND ${live}`);
  await c.conn.execute(`DROP TABLE ${keys}`);
  return result;
}
