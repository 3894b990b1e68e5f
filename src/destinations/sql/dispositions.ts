import type { Schema } from "../../schema/schema.js";
import { C_ID, C_ROOT_ID } from "../../schema/system-tables.js";
import type { Column, Table } from "../../schema/types.js";
import type { SqlDialect } from "./dialect.js";

/**
 * The SQL of the write dispositions, from staging tables into the dataset, for one root table
 * and its child tables (a "table chain"). Runs inside the load transaction.
 */
export interface ChainSql {
  dialect: SqlDialect;
  schema: Schema;
  root: Table;
  /** Child tables of the root, parents first. */
  children: Table[];
  qualified: (table: string) => string;
  /** Staging table per table name, for the tables this package has rows for. */
  staging: Map<string, string>;
}

function columnList(d: SqlDialect, table: Table): string {
  return Object.values(table.columns).map((c) => d.quote(c.name)).join(", ");
}

function insertFrom(c: ChainSql, table: Table, from: string, where = ""): string {
  const cols = columnList(c.dialect, table);
  return `INSERT INTO ${c.qualified(table.name)} (${cols}) SELECT ${cols} FROM ${from}${where}`;
}

export function appendSql(c: ChainSql): string[] {
  return [c.root, ...c.children]
    .filter((t) => c.staging.has(t.name))
    .map((t) => insertFrom(c, t, c.staging.get(t.name)!));
}

/** Replace: empty every table of the chain and insert the new rows, in the load transaction, so
 * readers see the old rows until commit and the new rows after, never an empty table. */
export function replaceSql(c: ChainSql): string[] {
  const out: string[] = [];
  for (const t of [...c.children].reverse()) out.push(`DELETE FROM ${c.qualified(t.name)}`);
  out.push(`DELETE FROM ${c.qualified(c.root.name)}`);
  return [...out, ...appendSql(c)];
}

function keyMatch(d: SqlDialect, keys: Column[], left: string, right: string): string {
  return keys.map((k) => `${left}.${d.quote(k.name)} = ${right}.${d.quote(k.name)}`).join(" AND ");
}

/**
 * Merge as delete-insert: rows whose key is in the package replace the stored rows with that
 * key, and their child rows (found through `_dlt_root_id`). Within the package the last
 * occurrence of a key wins. A `hardDelete` column deletes instead of inserting.
 * Without a primary or merge key, merge appends (as dlt does).
 */
export function mergeSql(c: ChainSql): string[] {
  const d = c.dialect;
  const cols = Object.values(c.root.columns);
  const pk = cols.filter((col) => col.primaryKey);
  const mk = cols.filter((col) => col.mergeKey);
  const rootStage = c.staging.get(c.root.name);
  if ((pk.length === 0 && mk.length === 0) || !rootStage) return appendSql(c);

  const out: string[] = [];
  const dedup = `${rootStage}_dedup`;
  const seq = d.quote(d.sequenceColumn);
  if (pk.length > 0) {
    const part = pk.map((k) => d.quote(k.name)).join(", ");
    out.push(
      `CREATE TEMP TABLE ${dedup} AS SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY ${part} ORDER BY ${seq} DESC) AS _dlt_dedup_rn FROM ${rootStage}) AS s WHERE _dlt_dedup_rn = 1`,
    );
  } else {
    out.push(`CREATE TEMP TABLE ${dedup} AS SELECT * FROM ${rootStage}`);
  }
  const target = c.qualified(c.root.name);
  const conditions: string[] = [];
  if (pk.length > 0) conditions.push(`EXISTS (SELECT 1 FROM ${dedup} AS s WHERE ${keyMatch(d, pk, "s", "d")})`);
  if (mk.length > 0) conditions.push(`EXISTS (SELECT 1 FROM ${dedup} AS s WHERE ${keyMatch(d, mk, "s", "d")})`);
  const matched = conditions.join(" OR ");
  for (const child of [...c.children].reverse()) {
    out.push(
      `DELETE FROM ${c.qualified(child.name)} WHERE ${d.quote(C_ROOT_ID)} IN (SELECT d.${d.quote(C_ID)} FROM ${target} AS d WHERE ${matched})`,
    );
  }
  out.push(`DELETE FROM ${target} AS d WHERE ${matched}`);

  const hard = cols.filter((col) => col.hardDelete);
  const keep = hard.length === 0
    ? ""
    : ` WHERE ${hard
        .map((h) => (h.dataType === "bool" ? `COALESCE(${d.quote(h.name)}, FALSE) = FALSE` : `${d.quote(h.name)} IS NULL`))
        .join(" AND ")}`;
  out.push(insertFrom(c, c.root, dedup, keep));
  for (const child of c.children) {
    const stage = c.staging.get(child.name);
    if (!stage) continue;
    out.push(
      insertFrom(c, child, stage, ` WHERE ${d.quote(C_ROOT_ID)} IN (SELECT ${d.quote(C_ID)} FROM ${dedup}${keep})`),
    );
  }
  out.push(`DROP TABLE ${dedup}`);
  return out;
}
