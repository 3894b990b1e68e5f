import { getEndpoint } from "../../sage/catalog/index.js";
import { propertiesOf } from "../spec/index.js";
import type { Rng } from "../random.js";
import { Changes, type MutationResult } from "./changes.js";
import { CODE_LISTS } from "./code-lists.js";
import { RecordFactory } from "./generic-records.js";
import { entriesOf } from "./ledger.js";
import { ACCOUNTING_OPS, pickRow, type Op, type Ops } from "./mutate-accounting.js";
import { MASTER_OPS } from "./mutate-master.js";
import type { Row } from "./table.js";
import type { TransactionData } from "./types.js";
import type { Rec, World } from "./world.js";

export class MutationError extends Error {}

export interface MutationCounts {
  updates: number;
  creates: number;
  deletes: number;
  /** Rows to hard-delete on an endpoint without `deleted_since`: any live row, referenced or not. */
  hardDeletes?: number;
}

/** Transactions and ledger entries come from their sources; here they can only be touched or flagged. */
const transactionOps: Ops = {
  update(w, rng, ch, used) {
    const row = pickRow(rng, w.table<TransactionData>("transactions").rows, used);
    if (!row) return false;
    ch.touch("transactions", row);
    for (const e of entriesOf(w, row.seq)) ch.touch("ledger_entries", e);
    return true;
  },
  remove(w, rng, ch, used) {
    const row = pickRow(rng, w.table<TransactionData>("transactions").rows, used);
    if (!row) return false;
    ch.deleted("transactions", row);
    for (const e of entriesOf(w, row.seq)) ch.deleted("ledger_entries", e);
    return true;
  },
};

const ledgerEntryOps: Ops = {
  update(w, rng, ch, used) {
    const row = pickRow(rng, w.table("ledger_entries").rows, used);
    if (!row) return false;
    ch.touch("ledger_entries", row);
    return true;
  },
  remove(w, rng, ch, used) {
    const row = pickRow(rng, w.table("ledger_entries").rows, used);
    if (!row) return false;
    ch.deleted("ledger_entries", row);
    return true;
  },
};

function genericOps(resource: string): Ops {
  const endpoint = getEndpoint(resource);
  const props = propertiesOf(endpoint.definition);
  return {
    update(w, rng, ch, used) {
      const row = pickRow(rng, w.table<Rec>(resource).rows, used);
      if (!row) return false;
      const field = Object.keys(props).find(
        (k) =>
          props[k]?.type === "string" &&
          !props[k].format &&
          !props[k].enum &&
          !["id", "displayed_as", "$path"].includes(k) &&
          typeof row.d[k] === "string",
      );
      if (field) row.d[field] = `${String(row.d[field]).slice(0, Math.max(1, (props[field]?.maxLength ?? 255) - 6))} (rev)`;
      ch.touch(resource, row);
      return true;
    },
    create(w, rng, ch) {
      const factory = new RecordFactory(w, rng, resource);
      const d = factory.object(endpoint.definition);
      d.displayed_as = factory.string({ type: "string" }, "displayed_as");
      if (props.id?.maxLength !== undefined && props.id.maxLength < 32)
        d.id = factory.string(props.id, "id") + `_${w.version}`.slice(0, 4);
      ch.created(resource, w.table<Rec>(resource).add(d, ch.now));
      return true;
    },
    remove(w, rng, ch, used) {
      const row = pickRow(rng, w.table<Rec>(resource).rows, used);
      if (!row) return false;
      ch.deleted(resource, row, !endpoint.rows.deletedAt);
      return true;
    },
  };
}

const OPS: Readonly<Record<string, Ops>> = {
  ...ACCOUNTING_OPS,
  ...MASTER_OPS,
  transactions: transactionOps,
  ledger_entries: ledgerEntryOps,
};

/**
 * The hard-delete knob: where Sage has no `deleted_since` and no `deleted` flag (tax_rates,
 * ledger_accounts, most of the long tail), a deleted row just stops being listed, and only a
 * client that compares the list of ids notices. Unlike `deletes`, which keeps the world
 * consistent (only user-created, unreferenced rows go), this removes any live row: references
 * to it stay, as stale ones do in a client's copy.
 */
const hardRemove =
  (resource: string): Op =>
  (w, rng, ch, used) => {
    const row = pickRow(rng, w.table(resource).rows, used);
    if (!row) return false;
    ch.deleted(resource, row, true);
    return true;
  };

function checkHardDeletable(resource: string): void {
  const endpoint = getEndpoint(resource);
  if (endpoint.filters.deletedSince)
    throw new MutationError(
      `${resource} has deleted_since: Sage keeps its deleted rows with deleted_at; use "deletes" instead of "hardDeletes".`,
    );
  if (endpoint.rows.deletedFlag)
    throw new MutationError(
      `${resource} flags deleted rows (deleted: true) instead of removing them; use "deletes" instead of "hardDeletes".`,
    );
  if (!endpoint.rows.id) throw new MutationError(`${resource} has no ids, so a hard delete could not be told apart.`);
}

/** Apply `counts` changes to `resource` at sandbox time `now`. Deterministic for a given rng. */
export function mutateWorld(w: World, resource: string, counts: MutationCounts, rng: Rng, now: number): MutationResult {
  const endpoint = getEndpoint(resource);
  if (endpoint.kind === "singleton")
    throw new MutationError(`${resource} is a settings singleton; the sandbox does not mutate it.`);
  if (CODE_LISTS[resource]) throw new MutationError(`${resource} is an enumeration of codes; the sandbox does not mutate it.`);
  if ((counts.hardDeletes ?? 0) > 0) checkHardDeletable(resource);
  const ops = OPS[resource] ?? genericOps(resource);
  w.table(resource);
  w.version++;
  const ch = new Changes(w, now);
  const used = new Set<Row>();
  const run = (op: Ops[keyof Ops], n: number) => {
    for (let i = 0; i < n && op; i++) if (!op(w, rng, ch, used)) break;
  };
  run(ops.update, counts.updates);
  run(ops.create, counts.creates);
  run(ops.remove, counts.deletes);
  run(hardRemove(resource), counts.hardDeletes ?? 0);
  return ch.result(resource);
}

export type { MutationResult } from "./changes.js";
