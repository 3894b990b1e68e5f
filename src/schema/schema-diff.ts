import type { StoredSchema } from "./schema.js";
import type { Column, Table } from "./types.js";

export interface ColumnChange {
  table: string;
  column: string;
  /** The column's type in words: `decimal(38,9)`, `text`. */
  type: string;
}

export interface SchemaDiff {
  from: { version: number; versionHash: string };
  to: { version: number; versionHash: string };
  tablesAdded: Array<{ table: string; parent: string | null; columns: number }>;
  tablesRemoved: Array<{ table: string; parent: string | null; columns: number }>;
  /** Columns added to or removed from tables both versions have (a new table's columns are its own). */
  columnsAdded: ColumnChange[];
  columnsRemoved: ColumnChange[];
  typeChanged: Array<{ table: string; column: string; from: string; to: string }>;
  nullableChanged: Array<{ table: string; column: string; from: boolean; to: boolean }>;
  /** Primary or merge key, hard delete: the hints that change what a load does. */
  keysChanged: Array<{ table: string; column: string; from: string; to: string }>;
}

/** `decimal(38,9)`, `timestamp`: a column's type as the schema explorer shows it. */
export function columnType(c: Column): string {
  return c.dataType === "decimal" && c.precision !== undefined ? `decimal(${c.precision},${c.scale ?? 0})` : c.dataType;
}

const keysOf = (c: Column) =>
  [c.primaryKey && "primary key", c.mergeKey && "merge key", c.hardDelete && "hard delete"].filter(Boolean).join(", ") || "none";

const byName = (a: { table: string; column?: string }, b: { table: string; column?: string }) =>
  a.table < b.table ? -1 : a.table > b.table ? 1 : (a.column ?? "") < (b.column ?? "") ? -1 : 1;

/**
 * What changed from one stored version of a schema to another: tables and columns added and
 * removed, types, nullability and keys changed. Either order works (an older `to` shows what
 * the newer version added as removed).
 */
export function diffSchemas(from: StoredSchema, to: StoredSchema): SchemaDiff {
  const tables = (s: StoredSchema) => new Map<string, Table>(s.tables.map((t) => [t.name, t]));
  const a = tables(from);
  const b = tables(to);
  const out: SchemaDiff = {
    from: { version: from.version, versionHash: from.versionHash },
    to: { version: to.version, versionHash: to.versionHash },
    tablesAdded: [],
    tablesRemoved: [],
    columnsAdded: [],
    columnsRemoved: [],
    typeChanged: [],
    nullableChanged: [],
    keysChanged: [],
  };
  const summary = (t: Table) => ({ table: t.name, parent: t.parent ?? null, columns: Object.keys(t.columns).length });
  for (const [name, t] of b) if (!a.has(name)) out.tablesAdded.push(summary(t));
  for (const [name, t] of a) if (!b.has(name)) out.tablesRemoved.push(summary(t));
  for (const [name, before] of a) {
    const after = b.get(name);
    if (!after) continue;
    for (const c of Object.values(after.columns)) {
      const old = before.columns[c.name];
      if (!old) {
        out.columnsAdded.push({ table: name, column: c.name, type: columnType(c) });
        continue;
      }
      if (columnType(old) !== columnType(c))
        out.typeChanged.push({ table: name, column: c.name, from: columnType(old), to: columnType(c) });
      if (old.nullable !== c.nullable)
        out.nullableChanged.push({ table: name, column: c.name, from: old.nullable, to: c.nullable });
      if (keysOf(old) !== keysOf(c)) out.keysChanged.push({ table: name, column: c.name, from: keysOf(old), to: keysOf(c) });
    }
    for (const c of Object.values(before.columns)) {
      if (!(c.name in after.columns)) out.columnsRemoved.push({ table: name, column: c.name, type: columnType(c) });
    }
  }
  for (const list of [
    out.tablesAdded,
    out.tablesRemoved,
    out.columnsAdded,
    out.columnsRemoved,
    out.typeChanged,
    out.nullableChanged,
    out.keysChanged,
  ]) {
    (list as Array<{ table: string; column?: string }>).sort(byName);
  }
  return out;
}
