import { isoTime } from "../format.js";
import { addTransaction, entriesOf } from "./ledger.js";
import type { Row } from "./table.js";
import type { PostingTable, TransactionData } from "./types.js";
import type { World } from "./world.js";

export interface ChangeSet {
  created: string[];
  updated: string[];
  deleted: string[];
}

export interface MutationResult extends ChangeSet {
  business: string;
  resource: string;
  /** The sandbox time every touched row now carries as updated_at (and created_at / deleted_at). */
  at: string;
  /** Rows of other resources that changed with these: transactions, ledger entries, parents. */
  cascaded: Record<string, ChangeSet>;
}

/**
 * Applies the timestamps of one mutation and remembers what changed. A row created in this
 * mutation is reported as created only, even if a cascade touches it again.
 */
export class Changes {
  private readonly sets = new Map<string, { created: Set<string>; updated: Set<string>; deleted: Set<string> }>();

  constructor(
    readonly w: World,
    readonly now: number,
  ) {}

  private set(table: string) {
    let s = this.sets.get(table);
    if (!s) {
      s = { created: new Set(), updated: new Set(), deleted: new Set() };
      this.sets.set(table, s);
    }
    return s;
  }

  created(table: string, row: Row): void {
    row.createdAt = this.now;
    row.updatedAt = this.now;
    this.set(table).created.add(this.w.table(table).id(row));
  }

  touch(table: string, row: Row): void {
    row.updatedAt = this.now;
    const id = this.w.table(table).id(row);
    const s = this.set(table);
    if (!s.created.has(id) && !s.deleted.has(id)) s.updated.add(id);
  }

  /** Soft delete (deleted_at, or the `deleted` flag) unless `hard`: then the row just stops existing. */
  deleted(table: string, row: Row, hard = false): void {
    if (hard) row.gone = true;
    row.deletedAt = this.now;
    row.updatedAt = this.now;
    const id = this.w.table(table).id(row);
    const s = this.set(table);
    s.updated.delete(id);
    s.deleted.add(id);
  }

  /** A source row's amounts or header changed: its transaction and ledger entries change too. */
  touchPosting(row: Row<{ tx: number }>): void {
    if (row.d.tx < 0) return;
    const tx = this.w.table<TransactionData>("transactions").at(row.d.tx);
    this.touch("transactions", tx);
    for (const e of entriesOf(this.w, tx.seq)) this.touch("ledger_entries", e);
  }

  /** A source row was deleted: its transaction and entries keep existing with `deleted: true`. */
  deletePosting(row: Row<{ tx: number }>): void {
    if (row.d.tx < 0) return;
    const tx = this.w.table<TransactionData>("transactions").at(row.d.tx);
    this.deleted("transactions", tx);
    for (const e of entriesOf(this.w, tx.seq)) this.deleted("ledger_entries", e);
  }

  createPosting(src: PostingTable, row: Row<{ tx: number }>): void {
    const tx = addTransaction(this.w, src, row);
    this.created("transactions", tx);
    for (const e of entriesOf(this.w, tx.seq)) this.created("ledger_entries", e);
  }

  result(resource: string): MutationResult {
    const own = this.sets.get(resource);
    const toLists = (s: { created: Set<string>; updated: Set<string>; deleted: Set<string> }): ChangeSet => ({
      created: [...s.created],
      updated: [...s.updated],
      deleted: [...s.deleted],
    });
    const cascaded: Record<string, ChangeSet> = {};
    for (const [table, s] of this.sets) if (table !== resource) cascaded[table] = toLists(s);
    return {
      business: this.w.business.id,
      resource,
      at: isoTime(this.now),
      ...(own ? toLists(own) : { created: [], updated: [], deleted: [] }),
      cascaded,
    };
  }
}
