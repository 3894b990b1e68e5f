import type { Schema } from "../schema/schema.js";
import type { Column, Table } from "../schema/types.js";

/** Per table: the columns a package created, each with the earliest position a row gave it. */
export type FreshColumns = Map<string, Map<string, number>>;

/** The tables' column names before a package was normalized. */
export function columnsBefore(schema: Schema): Map<string, string[]> {
  return new Map([...schema.tables].map(([name, t]) => [name, Object.keys(t.columns)]));
}

/** Two parts' fresh columns as one: the earliest position wins. */
export function mergeFresh(into: FreshColumns, part: FreshColumns): void {
  for (const [table, cols] of part) {
    let mine = into.get(table);
    if (!mine) into.set(table, (mine = new Map<string, number>()));
    for (const [c, at] of cols) {
      const seen = mine.get(c);
      if (seen === undefined || at < seen) mine.set(c, at);
    }
  }
}

/**
 * Deterministic column order: a table's columns are what they were before the package, then the
 * columns the package added, ordered by the earliest position any of its rows gave them (ties and
 * columns no row filled, such as hints and variants, by name). A new root table starts with its
 * primary key (`business_id`, `id`) and then the `_dlt_` columns; a new child table with its
 * `_dlt_` columns (SQL tables put the `_dlt_` columns last, as dlt does: sql/ddl.ts). Fields keep the order they have in the data, but not the order in which pages
 * arrived: businesses are read concurrently, and normalize may split a package over workers, so
 * "first seen" would differ between two identical runs; the earliest position does not.
 */
export function orderColumns(schema: Schema, before: Map<string, string[]>, fresh: FreshColumns): void {
  for (const t of schema.tables.values()) {
    const added = fresh.get(t.name);
    if (!added || added.size === 0) continue;
    const old = before.get(t.name) ?? [];
    const lead = old.length > 0 ? old : leadColumns(t);
    const rest = Object.keys(t.columns)
      .filter((c) => !lead.includes(c))
      .sort((a, b) => (added.get(a) ?? Infinity) - (added.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0));
    const columns: Record<string, Column> = {};
    for (const c of [...lead, ...rest]) if (t.columns[c]) columns[c] = t.columns[c];
    t.columns = columns;
  }
}

/** A new table's first columns: its primary key in key order (roots), then the engine's columns. */
function leadColumns(t: Table): string[] {
  const cols = Object.values(t.columns);
  const keys = t.parent ? [] : cols.filter((c) => c.primaryKey && !c.system).map((c) => c.name);
  return [...keys, ...cols.filter((c) => c.system).map((c) => c.name)];
}
