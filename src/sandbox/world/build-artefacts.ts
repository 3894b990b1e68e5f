import { SECONDS_PER_DAY } from "../format.js";
import type { Rng } from "../random.js";
import { artefactTotals, ledgerByRole, ledgersByRole } from "./amounts.js";
import { expenseDescription } from "./names.js";
import type { Row } from "./table.js";
import type {
  AllocationData,
  ArtefactData,
  ArtefactTable,
  ContactData,
  ItemData,
  ItemKind,
  LedgerAccountData,
  LineData,
} from "./types.js";
import type { World } from "./world.js";

export const SALES_SIDE: ReadonlySet<ArtefactTable> = new Set(["sales_invoices", "sales_credit_notes", "sales_quick_entries"]);
export const CREDIT_NOTES: ReadonlySet<ArtefactTable> = new Set(["sales_credit_notes", "purchase_credit_notes"]);
export const QUICK_ENTRIES: ReadonlySet<ArtefactTable> = new Set(["sales_quick_entries", "purchase_quick_entries"]);

/** A business day's timestamp: office hours, seeded. */
export function officeTime(rng: Rng, day: number): number {
  return day * SECONDS_PER_DAY + 8 * 3600 + rng.int(0, 9 * 3600);
}

/** `count` days spread over the history (the two years before the sandbox clock starts), ascending. */
export function historyDays(w: World, rng: Rng, count: number, fromOffset = 700): number[] {
  const end = w.clock.startDay() - 1;
  const from = end - fromOffset;
  return Array.from({ length: count }, () => rng.int(from, end)).sort((a, b) => a - b);
}

const activeCache = new WeakMap<object, { key: string; rows: Row<ItemData>[] }>();

/** Active, undeleted items; cached until the table grows or the world is mutated. */
function pickActive(w: World, rng: Rng, kind: ItemKind): Row<ItemData> | undefined {
  const table = w.table<ItemData>(kind);
  const key = `${table.rows.length}:${w.version}`;
  let hit = activeCache.get(table);
  if (!hit || hit.key !== key) {
    hit = { key, rows: table.rows.filter((r) => r.d.active && r.deletedAt === null && !r.gone) };
    activeCache.set(table, hit);
  }
  return hit.rows.length > 0 ? rng.pick(hit.rows) : undefined;
}

function itemLine(rng: Rng, kind: ItemKind, item: Row<ItemData>, sales: boolean): LineData {
  item.d.uses++;
  const qty = kind === "services" ? rng.int(1, 16) * 50 : rng.int(1, 20) * 100;
  const price = sales ? item.d.price : item.d.cost;
  const line: LineData = {
    itemKind: kind,
    item: item.seq,
    description: item.d.description,
    qty,
    price,
    tax: item.d.tax,
    ledger: sales ? item.d.salesLedger : item.d.purchaseLedger,
    discount: 0,
  };
  if (sales && rng.chance(0.1)) line.discount = Math.round((qty * price) / 100 / 20);
  return line;
}

export function nominalOf(w: World, ledger: number): number {
  return w.table<LedgerAccountData>("ledger_accounts").at(ledger).d.nominal;
}

export function makeLines(w: World, rng: Rng, table: ArtefactTable): LineData[] {
  const sales = SALES_SIDE.has(table);
  if (QUICK_ENTRIES.has(table)) {
    const ledger = sales ? ledgerByRole(w, "sales_services") : rng.pick(ledgersByRole(w, "overhead"));
    return [
      {
        itemKind: null,
        item: -1,
        description: sales ? "Sales" : expenseDescription(rng, nominalOf(w, ledger)),
        qty: 100,
        price: rng.int(50, 2000) * 100,
        tax: 0,
        ledger,
        discount: 0,
      },
    ];
  }
  const n = CREDIT_NOTES.has(table) ? rng.int(1, 2) : rng.weighted([1, 2, 3, 4], [3, 4, 2, 1]);
  const lines: LineData[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    const product = pickActive(w, rng, "products");
    const service = pickActive(w, rng, "services");
    if (r < 0.6 && product) lines.push(itemLine(rng, "products", product, sales));
    else if (r < (sales ? 0.95 : 0.75) && service) lines.push(itemLine(rng, "services", service, sales));
    else {
      const ledger = sales ? ledgerByRole(w, "sales_consulting") : rng.pick(ledgersByRole(w, "overhead"));
      lines.push({
        itemKind: null,
        item: -1,
        description: sales ? "Consulting" : expenseDescription(rng, nominalOf(w, ledger)),
        qty: 100,
        price: rng.int(100, 3000) * 100,
        tax: 0,
        ledger,
        discount: 0,
      });
    }
  }
  return lines;
}

/** A new artefact row (used by generation and by mutations). */
export function addArtefact(
  w: World,
  rng: Rng,
  table: ArtefactTable,
  contact: number,
  day: number,
  at: number,
): Row<ArtefactData> {
  const t = w.table<ArtefactData>(table);
  const c = w.table<ContactData>("contacts").at(contact);
  c.d.uses++;
  const sales = SALES_SIDE.has(table);
  const number = t.rows.length + 1;
  const reference = sales
    ? rng.chance(0.5)
      ? `PO-${rng.int(10_000, 99_999)}`
      : ""
    : `${c.d.ref.slice(0, 3)}-INV-${rng.int(1000, 99_999)}`;
  return t.add(
    {
      contact,
      date: day,
      due: CREDIT_NOTES.has(table) ? day : day + c.d.creditDays,
      number,
      reference,
      notes: rng.chance(0.08) ? "Thank you for your business." : "",
      lines: makeLines(w, rng, table),
      currency: c.d.currency,
      rate: c.d.currency ? w.profile.foreignRate : 100,
      paid: 0,
      allocated: 0,
      lastPaid: -1,
      payments: [],
      allocations: [],
      sent: sales ? rng.chance(0.9) : false,
      tx: -1,
    },
    at,
  );
}

function contactsOf(w: World, kind: ContactData["kind"]): Array<Row<ContactData>> {
  return w.table<ContactData>("contacts").rows.filter((r) => r.d.kind === kind);
}

/** How many of `rows` (in creation order) existed at `at`. */
function createdBy(rows: ReadonlyArray<Row<ContactData>>, at: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.createdAt <= at) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(1, lo);
}

/** Invoices and quick entries over the history, then credit notes with their allocations. */
export function buildArtefacts(w: World): void {
  const rng = w.rng("artefacts");
  const customers = contactsOf(w, "CUSTOMER");
  const vendors = contactsOf(w, "VENDOR");
  const plan: Array<[ArtefactTable, number, Array<Row<ContactData>>]> = [
    ["sales_invoices", w.sizes.salesInvoices, customers],
    ["sales_quick_entries", w.sizes.salesQuickEntries, customers],
    ["purchase_invoices", w.sizes.purchaseInvoices, vendors],
    ["purchase_quick_entries", w.sizes.purchaseQuickEntries, vendors],
  ];
  for (const table of [
    "sales_invoices",
    "sales_credit_notes",
    "sales_quick_entries",
    "purchase_invoices",
    "purchase_credit_notes",
    "purchase_quick_entries",
  ] as const) {
    w.createTable<ArtefactData>(table);
  }
  w.createTable<AllocationData>("contact_allocations");
  for (const [table, count, contacts] of plan) {
    // Contacts trade from their creation onwards; a few regulars get most invoices.
    for (const day of historyDays(w, rng, count, 640)) {
      const at = officeTime(rng, day);
      const known = createdBy(contacts, at);
      const contact = contacts[Math.floor(Math.pow(rng.next(), 1.6) * known)]!;
      addArtefact(w, rng, table, contact.seq, day, at);
    }
  }
  buildCreditNotes(w, rng, "sales_credit_notes", "sales_invoices", w.sizes.salesCreditNotes);
  buildCreditNotes(w, rng, "purchase_credit_notes", "purchase_invoices", w.sizes.purchaseCreditNotes);
}

function buildCreditNotes(w: World, rng: Rng, table: ArtefactTable, invoices: ArtefactTable, count: number): void {
  const inv = w.table<ArtefactData>(invoices);
  const last = w.clock.startDay() - 1;
  const picks = Array.from({ length: count }, () => {
    const row = rng.pick(inv.rows);
    return { row, day: Math.min(last, row.d.date + rng.int(1, 25)) };
  }).sort((a, b) => a.day - b.day || a.row.seq - b.row.seq);
  for (const { row, day } of picks) {
    const note = addArtefact(w, rng, table, row.d.contact, day, officeTime(rng, day));
    const line0 = row.d.lines[0]!;
    note.d.lines = [{ ...line0, qty: Math.min(line0.qty, 100), discount: 0 }];
    if (line0.itemKind) w.table<ItemData>(line0.itemKind).at(line0.item).d.uses++;
    note.d.currency = row.d.currency;
    note.d.rate = row.d.rate;
    note.d.reference = `Credit for ${w.label(invoices, row)}`.slice(0, 25);
    const credit = artefactTotals(w, note.d).total;
    const open = artefactTotals(w, row.d).total - row.d.allocated;
    if (rng.chance(0.8) && credit <= open) allocate(w, table, note, invoices, row, credit, note.createdAt + 600);
  }
}

/** Allocate a credit note against an invoice of the same contact (a contact_allocations row). */
export function allocate(
  w: World,
  noteTable: ArtefactTable,
  note: Row<ArtefactData>,
  invTable: ArtefactTable,
  invoice: Row<ArtefactData>,
  cents: number,
  at: number,
): Row<AllocationData> {
  const allocations = w.table<AllocationData>("contact_allocations");
  const row = allocations.add(
    {
      kind: SALES_SIDE.has(noteTable) ? "CUSTOMER_ALLOCATION" : "VENDOR_ALLOCATION",
      contact: note.d.contact,
      date: Math.floor(at / SECONDS_PER_DAY),
      allocs: [
        { res: noteTable, seq: note.seq, cents: -cents },
        { res: invTable, seq: invoice.seq, cents },
      ],
      tx: -1,
    },
    at,
  );
  for (const r of [note, invoice]) {
    r.d.allocated += cents;
    r.d.allocations.push(row.seq);
    r.d.lastPaid = Math.max(r.d.lastPaid, row.d.date);
    r.updatedAt = Math.max(r.updatedAt, at);
  }
  return row;
}
