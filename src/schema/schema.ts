import { createHash } from "node:crypto";
import { SYSTEM_TABLE_NAMES, systemTables } from "./system-tables.js";
import type { Column, Table } from "./types.js";

export const SCHEMA_ENGINE_VERSION = 1;

export interface StoredSchema {
  name: string;
  version: number;
  versionHash: string;
  engineVersion: number;
  tables: Table[];
}

/** What changed between two versions of a schema: new tables, and new columns of existing ones. */
export interface TableUpdate {
  table: Table;
  isNew: boolean;
  newColumns: Column[];
}
export type SchemaUpdate = TableUpdate[];

function clone<T>(v: T): T {
  return structuredClone(v);
}

/**
 * Tables and columns, in the destination's naming. Columns are only ever added and never
 * retyped or dropped; the version increases with every change and the hash identifies content.
 */
export class Schema {
  readonly tables = new Map<string, Table>();
  version = 0;

  constructor(readonly name: string) {
    for (const t of systemTables()) this.tables.set(t.name, t);
  }

  static fromJSON(json: StoredSchema): Schema {
    const s = new Schema(json.name);
    s.version = json.version;
    for (const t of json.tables) s.tables.set(t.name, clone(t));
    return s;
  }

  toJSON(): StoredSchema {
    return {
      name: this.name,
      version: this.version,
      versionHash: this.versionHash,
      engineVersion: SCHEMA_ENGINE_VERSION,
      tables: [...this.tables.values()].map(clone),
    };
  }

  clone(): Schema {
    return Schema.fromJSON(this.toJSON());
  }

  /** A content hash: the same tables and columns give the same hash, whatever the version number. */
  get versionHash(): string {
    const h = createHash("sha256");
    for (const t of this.tables.values()) h.update(JSON.stringify(t));
    return h.digest("base64url").slice(0, 44);
  }

  get(name: string): Table | undefined {
    return this.tables.get(name);
  }

  /** User tables (not `_dlt_*`), roots first in creation order with their children after them. */
  dataTables(): Table[] {
    return [...this.tables.values()].filter((t) => !SYSTEM_TABLE_NAMES.has(t.name));
  }

  /** The child tables of `root`, recursively, parents before children. */
  descendants(root: string): Table[] {
    const out: Table[] = [];
    const walk = (parent: string) => {
      for (const t of this.tables.values()) {
        if (t.parent === parent) {
          out.push(t);
          walk(t.name);
        }
      }
    };
    walk(root);
    return out;
  }

  rootOf(name: string): Table {
    let t = this.tables.get(name);
    if (!t) throw new Error(`schema ${this.name} has no table ${name}`);
    while (t.parent) {
      const p = this.tables.get(t.parent);
      if (!p) break;
      t = p;
    }
    return t;
  }

  /** Which tables and columns `next` has that this schema lacks. */
  diff(next: Schema): SchemaUpdate {
    const update: SchemaUpdate = [];
    for (const t of next.tables.values()) {
      const mine = this.tables.get(t.name);
      if (!mine) {
        update.push({ table: clone(t), isNew: true, newColumns: Object.values(t.columns).map(clone) });
        continue;
      }
      const added = Object.values(t.columns).filter((c) => !(c.name in mine.columns));
      if (added.length > 0) update.push({ table: clone(t), isNew: false, newColumns: added.map(clone) });
    }
    return update;
  }

  /** Add what `other` has and this schema lacks; table hints from `other` win. Returns true if changed. */
  merge(other: Schema): boolean {
    let changed = false;
    for (const t of other.tables.values()) {
      const mine = this.tables.get(t.name);
      if (!mine) {
        this.tables.set(t.name, clone(t));
        changed = true;
        continue;
      }
      for (const c of Object.values(t.columns)) {
        if (!(c.name in mine.columns)) {
          mine.columns[c.name] = clone(c);
          changed = true;
        }
      }
      const { columns: _c, ...hints } = t;
      const { columns: _m, ...myHints } = mine;
      if (JSON.stringify(hints) !== JSON.stringify(myHints)) {
        Object.assign(mine, clone(hints));
        changed = true;
      }
    }
    if (changed) this.version++;
    return changed;
  }
}
