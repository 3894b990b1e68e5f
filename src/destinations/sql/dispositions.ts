import type { Schema } from "../../schema/schema.js";
import { C_ID, C_ROOT_ID } from "../../schema/system-tables.js";
import type { Column, Table } from "../../schema/types.js";
import type { SqlDialect } from "./dialect.js";

/**
 * The SQL of the write dispositions for one root table and its child tables (a "table
 * chain"), from the package's rows into the dataset. Runs inside the load transaction.
 */
export interface ChainSql {
  dialect: SqlDialect;
  schema: Schema;
  root: Table;
  /** Child tables of the root, parents first. */
  children: Table[];
  qualified: (table: string) => string;
  /** Relation (subquery or staging table) per table name, for the tables this package has rows for. */
  sources: Map<string, string>;
  /** A temporary table `(id)` of root `_dlt_id`s replaced by a later row with the same key. */
  superseded?: string;
  /** Prefix for temporary tables this chain creates. */
  temp: string;
  /** The root table holds no rows yet (a first load): merge has nothing to delete. */
  targetEmpty?: boolean;
}

function columnList(d: SqlDialect, table: Table): string {
  return Object.values(table.columns)
    .map((c) => d.quote(c.name))
    .join(", ");
}

function insertFrom(c: ChainSql, table: Table, from: string, where = ""): string {
  const cols = columnList(c.dialect, table);
  return `INSERT INTO ${c.qualified(table.name)} (${cols}) SELECT ${cols} FROM ${from} AS src${where}`;
}

function notSuperseded(c: ChainSql): string {
  return c.superseded ? `src.${c.dialect.quote(C_ID)} NOT IN (SELECT id FROM ${c.superseded})` : "";
}

export function appendSql(c: ChainSql): string[] {
  return [c.root, ...c.children].filter((t) => c.sources.has(t.name)).map((t) => insertFrom(c, t, c.sources.get(t.name)!));
}

/** Replace: empty every table of the chain and insert the new rows, in the load transaction, so
 * readers see the old rows until commit and the new rows after, never an empty table. */
export function replaceSql(c: ChainSql): string[] {
  return [...clearChainSql(c), ...appendSql(c)];
}

/** Empty every table of the chain, children first. */
export function clearChainSql(c: Pick<ChainSql, "root" | "children" | "qualified">): string[] {
  const out: string[] = [];
  for (const t of [...c.children].reverse()) out.push(`DELETE FROM ${c.qualified(t.name)}`);
  out.push(`DELETE FROM ${c.qualified(c.root.name)}`);
  return out;
}

/** Merge is a delete-insert only with a primary or merge key; without one it appends, as in dlt. */
export function hasMergeKeys(root: Table): boolean {
  return Object.values(root.columns).some((col) => col.primaryKey || col.mergeKey);
}

function keyMatch(d: SqlDialect, keys: Column[], left: string, right: string): string {
  return keys.map((k) => `${left}.${d.quote(k.name)} = ${right}.${d.quote(k.name)}`).join(" AND ");
}

/**
 * Merge as delete-insert: rows whose key is in the package replace the stored rows with that
 * key, and their child rows (found through `_dlt_root_id`). Within the package the last
 * occurrence of a key wins (normalize lists the others as superseded). A `hardDelete` column
 * deletes instead of inserting. Without a primary or merge key, merge appends (as dlt does).
 */
export function mergeSql(c: ChainSql): string[] {
  const d = c.dialect;
  const cols = Object.values(c.root.columns);
  const pk = cols.filter((col) => col.primaryKey);
  const mk = cols.filter((col) => col.mergeKey);
  const rootSource = c.sources.get(c.root.name);
  if ((pk.length === 0 && mk.length === 0) || !rootSource) return appendSql(c);

  const hard = cols.filter((col) => col.hardDelete);
  const skip = notSuperseded(c);
  const kept = hard
    .map((h) => (h.dataType === "bool" ? `COALESCE(src.${d.quote(h.name)}, FALSE) = FALSE` : `src.${d.quote(h.name)} IS NULL`))
    .join(" AND ");
  const rootWhere = [skip, kept].filter(Boolean).join(" AND ");
  if (c.targetEmpty && !rootWhere) return appendSql(c);
  const keyCols = [...new Set([...pk, ...mk, ...hard, c.root.columns[C_ID]!])];
  const keySelect = `SELECT ${keyCols.map((k) => `src.${d.quote(k.name)}`).join(", ")} FROM ${rootSource} AS src${skip ? ` WHERE ${skip}` : ""}`;
  // Where DDL would commit the transaction, the key set is a subquery (read each time it is used).
  const keys = d.ddlCommits ? `(${keySelect})` : `${c.temp}_keys`;
  const out: string[] = d.ddlCommits ? [] : [`CREATE TEMP TABLE ${keys} AS ${keySelect}`];
  const target = c.qualified(c.root.name);
  const matchedOn = (t: string) =>
    [pk, mk]
      .filter((k) => k.length > 0)
      .map((k) => `EXISTS (SELECT 1 FROM ${keys} AS s WHERE ${keyMatch(d, k, "s", t)})`)
      .join(" OR ");
  const matched = matchedOn("d");
  if (!c.targetEmpty) {
    for (const child of [...c.children].reverse()) {
      out.push(
        `DELETE FROM ${c.qualified(child.name)} WHERE ${d.quote(C_ROOT_ID)} IN (SELECT d.${d.quote(C_ID)} FROM ${target} AS d WHERE ${matched})`,
      );
    }
    out.push(
      d.deleteWithoutAlias ? `DELETE FROM ${target} WHERE ${matchedOn(target)}` : `DELETE FROM ${target} AS d WHERE ${matched}`,
    );
  }
  out.push(insertFrom(c, c.root, rootSource, rootWhere ? ` WHERE ${rootWhere}` : ""));
  // Child rows follow their root: only those of inserted roots (when some were skipped).
  const childWhere = rootWhere
    ? ` WHERE src.${d.quote(C_ROOT_ID)} IN (SELECT src.${d.quote(C_ID)} FROM ${keys} AS src WHERE ${kept || "TRUE"})`
    : "";
  for (const child of c.children) {
    const source = c.sources.get(child.name);
    if (source) out.push(insertFrom(c, child, source, childWhere));
  }
  if (!d.ddlCommits) out.push(`DROP TABLE ${keys}`);
  return out;
}
