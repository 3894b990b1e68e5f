import { hashString, hexId } from "../random.js";

/**
 * One stored record. Data is kept compact (`d`) and rendered into Sage's JSON on demand, so a
 * scale-10 business (≈ 1M rows across tables) stays within a few hundred MB.
 */
export interface Row<T = unknown> {
  /** Position in creation order: the default sort, and the input of the row's id. */
  readonly seq: number;
  createdAt: number;
  updatedAt: number;
  /** Set when deleted: `deleted_at` for most resources, the `deleted` flag for transactions and ledger entries. */
  deletedAt: number | null;
  /** Hard-deleted (resources without deleted_at or a flag simply stop being listed). */
  gone: boolean;
  d: T;
}

export type IdFn<T> = (row: Row<T>) => string;

export class Table<T = unknown> {
  readonly rows: Row<T>[] = [];
  private readonly salt: number;
  private index: Map<string, Row<T>> | undefined;
  /** Ids by seq, computed on first use: rendering asks for the same master-data ids constantly. */
  private readonly ids: string[] = [];

  constructor(
    readonly name: string,
    private readonly idSeed: readonly number[],
    private readonly idFn?: IdFn<T>,
  ) {
    this.salt = hashString(name);
  }

  add(d: T, createdAt: number, updatedAt = createdAt): Row<T> {
    const row: Row<T> = { seq: this.rows.length, createdAt, updatedAt, deletedAt: null, gone: false, d };
    this.rows.push(row);
    this.index?.set(this.id(row), row);
    return row;
  }

  /** Sage ids are 32-char lowercase hex; enumeration-like tables use codes instead. */
  id(row: Row<T>): string {
    if (this.idFn) return this.idFn(row);
    let id = this.ids[row.seq];
    if (id === undefined) {
      id = hexId(...this.idSeed, this.salt, row.seq);
      this.ids[row.seq] = id;
    }
    return id;
  }

  idOf(seq: number): string {
    return this.id(this.at(seq));
  }

  at(seq: number): Row<T> {
    const row = this.rows[seq];
    if (!row) throw new Error(`${this.name}: no row ${seq}`);
    return row;
  }

  find(id: string): Row<T> | undefined {
    if (!this.index) {
      this.index = new Map();
      for (const r of this.rows) this.index.set(this.id(r), r);
    }
    return this.index.get(id);
  }

  /** Rows still listed: not hard-deleted (soft-deleted rows are filtered by the query layer). */
  live(): Row<T>[] {
    return this.rows.filter((r) => !r.gone);
  }
}
