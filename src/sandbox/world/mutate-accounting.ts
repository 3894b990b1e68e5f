import { dayOf } from "../format.js";
import type { Rng } from "../random.js";
import { artefactTotals } from "./amounts.js";
import { QUICK_ENTRIES, SALES_SIDE, addArtefact, allocate } from "./build-artefacts.js";
import { addDeposit, addJournal, addOtherPayment, addPayment, addTransfer } from "./build-settlements.js";
import type { Changes } from "./changes.js";
import { ARTEFACT_TABLES } from "./ledger.js";
import type { Row } from "./table.js";
import type {
  AllocationData,
  ArtefactData,
  ArtefactTable,
  ContactData,
  DepositData,
  JournalData,
  OtherPaymentData,
  PaymentData,
  PostingTable,
  TransferData,
} from "./types.js";
import type { World } from "./world.js";

/** One kind of change to one row; returns false when no row qualifies. */
export type Op = (w: World, rng: Rng, ch: Changes, used: Set<Row>) => boolean;
export interface Ops {
  update?: Op;
  create?: Op;
  remove?: Op;
}

export function pickRow<T>(
  rng: Rng,
  rows: ReadonlyArray<Row<T>>,
  used: Set<Row>,
  ok: (r: Row<T>) => boolean = () => true,
): Row<T> | undefined {
  const eligible = rows.filter((r) => !r.gone && r.deletedAt === null && !used.has(r as Row) && ok(r));
  if (eligible.length === 0) return undefined;
  const row = rng.pick(eligible);
  used.add(row);
  return row;
}

const settled = (d: ArtefactData) => d.paid + d.allocated;

/** Artefacts show their payments and allocations (`payments_allocations`): they change with them. */
function touchAllocated(w: World, ch: Changes, allocs: ReadonlyArray<{ res: ArtefactTable; seq: number }>): void {
  for (const a of allocs) ch.touch(a.res, w.table<ArtefactData>(a.res).at(a.seq));
}

function artefactOps(table: ArtefactTable): Ops {
  const rows = (w: World) => w.table<ArtefactData>(table).rows;
  return {
    // Open documents change their amounts; settled ones only their notes (Sage locks paid lines).
    update(w, rng, ch, used) {
      const row = pickRow(rng, rows(w), used);
      if (!row) return false;
      if (settled(row.d) === 0) {
        const line = row.d.lines[0]!;
        line.qty = line.qty > 100 && rng.chance(0.5) ? line.qty - 100 : line.qty + 100;
        if (rng.chance(0.5)) line.price = Math.round(line.price * 1.05);
      } else if (QUICK_ENTRIES.has(table)) {
        row.d.lines[0]!.description = `${row.d.lines[0]!.description.replace(/ \(rev \d+\)$/, "")} (rev ${w.version})`;
      } else {
        row.d.notes = `Updated by the finance team (rev ${w.version}).`;
      }
      ch.touch(table, row);
      ch.touchPosting(row);
      return true;
    },
    create(w, rng, ch) {
      const kind = SALES_SIDE.has(table) ? "CUSTOMER" : "VENDOR";
      const contacts = w
        .table<ContactData>("contacts")
        .rows.filter((r) => r.d.kind === kind && r.d.active && r.deletedAt === null && !r.gone);
      if (contacts.length === 0) return false;
      const row = addArtefact(w, rng, table, rng.pick(contacts).seq, dayOf(ch.now), ch.now);
      ch.created(table, row);
      ch.createPosting(table, row);
      return true;
    },
    remove(w, rng, ch, used) {
      const row = pickRow(
        rng,
        rows(w),
        used,
        (r) => settled(r.d) === 0 && r.d.payments.length === 0 && r.d.allocations.length === 0,
      );
      if (!row) return false;
      ch.deleted(table, row);
      ch.deletePosting(row);
      return true;
    },
  };
}

const contactPayments: Ops = {
  update(w, rng, ch, used) {
    const row = pickRow(rng, w.table<PaymentData>("contact_payments").rows, used);
    if (!row) return false;
    row.d.reference = `${row.d.kind === "CUSTOMER_RECEIPT" ? "REM" : "BACS"}-${rng.int(10_000, 99_999)}`;
    ch.touch("contact_payments", row);
    ch.touchPosting(row);
    touchAllocated(w, ch, row.d.allocs);
    return true;
  },
  // A new payment settles an open invoice in full, which changes the invoice too.
  create(w, rng, ch) {
    const open: Array<[ArtefactTable, Row<ArtefactData>]> = [];
    for (const table of ["sales_invoices", "purchase_invoices"] as const) {
      for (const r of w.table<ArtefactData>(table).rows) {
        if (!r.gone && r.deletedAt === null && artefactTotals(w, r.d).total > settled(r.d)) open.push([table, r]);
      }
    }
    if (open.length === 0) return false;
    const [table, invoice] = rng.pick(open);
    const row = addPayment(w, rng, table, invoice, artefactTotals(w, invoice.d).total - settled(invoice.d), ch.now);
    ch.created("contact_payments", row);
    ch.createPosting("contact_payments", row);
    ch.touch(table, invoice);
    return true;
  },
  remove(w, rng, ch, used) {
    const row = pickRow(rng, w.table<PaymentData>("contact_payments").rows, used);
    if (!row) return false;
    for (const a of row.d.allocs) {
      const target = w.table<ArtefactData>(a.res).at(a.seq);
      target.d.paid -= a.cents;
      target.d.payments = target.d.payments.filter((s) => s !== row.seq);
      ch.touch(a.res, target);
    }
    ch.deleted("contact_payments", row);
    ch.deletePosting(row);
    return true;
  },
};

const contactAllocations: Ops = {
  update(w, rng, ch, used) {
    const row = pickRow(rng, w.table<AllocationData>("contact_allocations").rows, used);
    if (!row) return false;
    row.d.date = dayOf(ch.now);
    ch.touch("contact_allocations", row);
    ch.touchPosting(row);
    touchAllocated(w, ch, row.d.allocs);
    return true;
  },
  create(w, _rng, ch) {
    for (const [noteTable, invTable] of [
      ["sales_credit_notes", "sales_invoices"],
      ["purchase_credit_notes", "purchase_invoices"],
    ] as const) {
      const notes = w.table<ArtefactData>(noteTable).rows.filter((r) => !r.gone && r.deletedAt === null && settled(r.d) === 0);
      for (const note of notes) {
        const credit = artefactTotals(w, note.d).total;
        const invoice = w
          .table<ArtefactData>(invTable)
          .rows.find(
            (r) =>
              !r.gone &&
              r.deletedAt === null &&
              r.d.contact === note.d.contact &&
              artefactTotals(w, r.d).total - settled(r.d) >= credit,
          );
        if (!invoice) continue;
        const row = allocate(w, noteTable, note, invTable, invoice, credit, ch.now);
        ch.created("contact_allocations", row);
        ch.createPosting("contact_allocations", row);
        ch.touch(noteTable, note);
        ch.touch(invTable, invoice);
        return true;
      }
    }
    return false;
  },
  remove(w, rng, ch, used) {
    const row = pickRow(rng, w.table<AllocationData>("contact_allocations").rows, used);
    if (!row) return false;
    for (const a of row.d.allocs) {
      const target = w.table<ArtefactData>(a.res).at(a.seq);
      target.d.allocated -= Math.abs(a.cents);
      target.d.allocations = target.d.allocations.filter((s) => s !== row.seq);
      ch.touch(a.res, target);
    }
    ch.deleted("contact_allocations", row);
    ch.deletePosting(row);
    return true;
  },
};

/** Stand-alone posting documents: created fresh, changed in amount, deleted with their transaction. */
function postingOps<T extends { tx: number }>(
  table: PostingTable,
  add: (w: World, rng: Rng, at: number) => Row<T>,
  change: (d: T) => void,
): Ops {
  return {
    update(w, rng, ch, used) {
      const row = pickRow(rng, w.table<T>(table).rows, used);
      if (!row) return false;
      change(row.d);
      ch.touch(table, row);
      ch.touchPosting(row);
      return true;
    },
    create(w, rng, ch) {
      const row = add(w, rng, ch.now);
      ch.created(table, row);
      ch.createPosting(table, row);
      return true;
    },
    remove(w, rng, ch, used) {
      const row = pickRow(rng, w.table<T>(table).rows, used);
      if (!row) return false;
      ch.deleted(table, row);
      ch.deletePosting(row);
      return true;
    },
  };
}

export const ACCOUNTING_OPS: Readonly<Record<string, Ops>> = {
  ...Object.fromEntries(ARTEFACT_TABLES.map((t) => [t, artefactOps(t)])),
  contact_payments: contactPayments,
  contact_allocations: contactAllocations,
  other_payments: postingOps<OtherPaymentData>("other_payments", addOtherPayment, (d) => {
    for (const l of d.lines) l.net = Math.round(l.net * 1.05);
  }),
  bank_transfers: postingOps<TransferData>("bank_transfers", addTransfer, (d) => {
    d.amount += 10_000;
  }),
  bank_deposits: postingOps<DepositData>("bank_deposits", addDeposit, (d) => {
    d.cash += 1_000;
  }),
  journals: postingOps<JournalData>("journals", addJournal, (d) => {
    // Scale every line by the same factor and put the rounding on the last credit, so it stays balanced.
    for (const l of d.lines) {
      l.debit = Math.round(l.debit * 1.05);
      l.credit = Math.round(l.credit * 1.05);
    }
    const debit = d.lines.reduce((s, l) => s + l.debit, 0);
    const credit = d.lines.reduce((s, l) => s + l.credit, 0);
    const last = [...d.lines].reverse().find((l) => l.credit > 0);
    if (last) last.credit += debit - credit;
  }),
};
