import { createHash } from "node:crypto";
import { systemTables } from "./system-tables.js";
import type { Table } from "./types.js";

export const SCHEMA_ENGINE_VERSION = 1;

export interface StoredSchema {
  name: string;
  version: number;
  versionHash: string;
  engineVersion: number;
  tables: Table[];
}

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
    // The bookkeeping tables are the engine's: a schema stored by an older engine gets the columns
    // added since (e.g. `_dlt_loads.package_id`), so every load writes the same bookkeeping.
    for (const sys of systemTables()) {
      const t = s.tables.get(sys.name);
      if (!t) continue;
      for (const c of Object.values(sys.columns)) if (!t.columns[c.name]) t.columns[c.name] = c;
    }
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
}
