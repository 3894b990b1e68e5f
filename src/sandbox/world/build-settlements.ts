import { SECONDS_PER_DAY } from "../format.js";
import type { Rng } from "../random.js";
import { artefactTotals, ledgerByRole, ledgersByRole } from "./amounts.js";
import { SALES_SIDE, historyDays, nominalOf, officeTime } from "./build-artefacts.js";
import { expenseDescription } from "./names.js";
import type { Row } from "./table.js";
import type {
  ArtefactData,
  ArtefactTable,
  BankAccountData,
  ContactData,
  DepositData,
  JournalData,
  OtherPaymentData,
  PaymentData,
  TaxRateData,
  TransferData,
} from "./types.js";
import type { World } from "./world.js";

const PAYABLE: readonly ArtefactTable[] = [
  "sales_invoices",
  "sales_quick_entries",
  "purchase_invoices",
  "purchase_quick_entries",
];

function bankByType(w: World, type: string): number {
  const row = w.table<BankAccountData>("bank_accounts").rows.find((r) => r.d.type === type);
  return row ? row.seq : 0;
}

/** Customer receipts and supplier payments for most of what was invoiced; the rest stays open. */
export function buildSettlements(w: World): void {
  const rng = w.rng("settlements");
  w.createTable<PaymentData>("contact_payments");
  const last = w.clock.startDay() - 1;
  const contacts = w.table<ContactData>("contacts");
  const intents: Array<{ table: ArtefactTable; row: Row<ArtefactData>; cents: number; at: number }> = [];
  for (const table of PAYABLE) {
    for (const row of w.table<ArtefactData>(table).rows) {
      const open = artefactTotals(w, row.d).total - row.d.allocated;
      if (open <= 0) continue;
      const p = last - row.d.due > 10 ? 0.93 : row.d.date < last - 5 ? 0.45 : 0.1;
      if (!rng.chance(p)) continue;
      const day = Math.min(last, row.d.date + rng.int(0, contacts.at(row.d.contact).d.creditDays + 15));
      const cents = rng.chance(0.04) ? Math.max(1, Math.round((open * rng.int(30, 70)) / 100)) : open;
      intents.push({ table, row, cents, at: Math.max(officeTime(rng, day), row.createdAt + 60) });
    }
  }
  intents.sort((a, b) => a.at - b.at || a.row.seq - b.row.seq);
  for (const i of intents) addPayment(w, rng, i.table, i.row, i.cents, i.at);

  w.createTable<OtherPaymentData>("other_payments");
  for (const day of historyDays(w, rng, w.sizes.otherPayments)) addOtherPayment(w, rng, officeTime(rng, day));
  w.createTable<TransferData>("bank_transfers");
  for (const day of historyDays(w, rng, w.sizes.bankTransfers)) addTransfer(w, rng, officeTime(rng, day));
  w.createTable<DepositData>("bank_deposits");
  for (const day of historyDays(w, rng, w.sizes.bankDeposits)) addDeposit(w, rng, officeTime(rng, day));
  w.createTable<JournalData>("journals");
  for (const day of historyDays(w, rng, w.sizes.journals)) addJournal(w, rng, officeTime(rng, day));
}

/** A receipt or payment settling `cents` of an artefact; the artefact's status moves with it. */
export function addPayment(
  w: World,
  rng: Rng,
  table: ArtefactTable,
  artefact: Row<ArtefactData>,
  cents: number,
  at: number,
): Row<PaymentData> {
  const sales = SALES_SIDE.has(table);
  const cash = rng.chance(0.12);
  const day = Math.floor(at / SECONDS_PER_DAY);
  const row = w.table<PaymentData>("contact_payments").add(
    {
      kind: sales ? "CUSTOMER_RECEIPT" : "VENDOR_PAYMENT",
      contact: artefact.d.contact,
      bank: cash ? bankByType(w, "CASH_IN_HAND") : bankByType(w, "CHECKING"),
      method: cash ? "CASH" : rng.weighted(["BANK_TRANSFER", "CHEQUE", "CREDIT_DEBIT"], [6, 1, 3]),
      date: day,
      reference: sales ? (rng.chance(0.4) ? `REM-${rng.int(1000, 9999)}` : "") : `BACS-${rng.int(10_000, 99_999)}`,
      allocs: [{ res: table, seq: artefact.seq, cents }],
      currency: artefact.d.currency,
      rate: artefact.d.rate,
      tx: -1,
    },
    at,
  );
  artefact.d.paid += cents;
  artefact.d.payments.push(row.seq);
  artefact.d.lastPaid = Math.max(artefact.d.lastPaid, day);
  artefact.updatedAt = Math.max(artefact.updatedAt, at);
  return row;
}

const vendorCache = new WeakMap<World, { key: string; rows: Array<Row<ContactData>> }>();

/** Suppliers that existed at `at` (contacts are created in time order, so a prefix of the list). */
function vendorsBefore(w: World, at: number): Array<Row<ContactData>> {
  const contacts = w.table<ContactData>("contacts");
  const key = `${contacts.rows.length}:${w.version}`;
  let hit = vendorCache.get(w);
  if (!hit || hit.key !== key) {
    hit = { key, rows: contacts.rows.filter((r) => r.d.kind === "VENDOR" && r.deletedAt === null && !r.gone) };
    vendorCache.set(w, hit);
  }
  return hit.rows.filter((r) => r.createdAt <= at);
}

export function addOtherPayment(w: World, rng: Rng, at: number): Row<OtherPaymentData> {
  const receipt = rng.chance(0.15);
  const taxes = w.table<TaxRateData>("tax_rates").rows;
  const exempt = [...taxes].reverse().find((r) => r.d.bp === 0)?.seq ?? 0;
  const vendors = vendorsBefore(w, at);
  const lines = Array.from({ length: rng.weighted([1, 2], [3, 1]) }, () => {
    const ledger = receipt ? ledgerByRole(w, "other_income") : rng.pick(ledgersByRole(w, "overhead"));
    const details = receipt ? "Miscellaneous income" : expenseDescription(rng, nominalOf(w, ledger));
    return { ledger, tax: rng.chance(0.7) ? 0 : exempt, net: rng.int(20, 800) * 100, details };
  });
  const contact = !receipt && vendors.length > 0 && rng.chance(0.4) ? rng.pick(vendors).seq : -1;
  if (contact >= 0) w.table<ContactData>("contacts").at(contact).d.uses++;
  const cash = rng.chance(0.1);
  const n = w.table<OtherPaymentData>("other_payments").rows.length + 1;
  return w.table<OtherPaymentData>("other_payments").add(
    {
      kind: receipt ? "OTHER_RECEIPT" : "OTHER_PAYMENT",
      contact,
      bank: cash ? bankByType(w, "CASH_IN_HAND") : bankByType(w, "CHECKING"),
      method: cash ? "CASH" : rng.pick(["BANK_TRANSFER", "CREDIT_DEBIT"]),
      date: Math.floor(at / SECONDS_PER_DAY),
      reference: `${receipt ? "REC" : "PAY"}-${String(n).padStart(5, "0")}`,
      lines,
      tx: -1,
    },
    at,
  );
}

export function addTransfer(w: World, rng: Rng, at: number): Row<TransferData> {
  const toSavings = rng.chance(0.7);
  const current = bankByType(w, "CHECKING");
  const savings = bankByType(w, "SAVINGS");
  const n = w.table<TransferData>("bank_transfers").rows.length + 1;
  return w.table<TransferData>("bank_transfers").add(
    {
      from: toSavings ? current : savings,
      to: toSavings ? savings : current,
      date: Math.floor(at / SECONDS_PER_DAY),
      amount: rng.int(5, 50) * 10_000,
      reference: `TFR-${String(n).padStart(4, "0")}`,
      description: toSavings ? "Transfer to savings" : "Transfer from savings",
      tx: -1,
    },
    at,
  );
}

export function addDeposit(w: World, rng: Rng, at: number): Row<DepositData> {
  const n = w.table<DepositData>("bank_deposits").rows.length + 1;
  return w.table<DepositData>("bank_deposits").add(
    {
      from: bankByType(w, "CASH_IN_HAND"),
      to: bankByType(w, "CHECKING"),
      date: Math.floor(at / SECONDS_PER_DAY),
      cash: rng.int(50, 1500) * 100,
      cheque: rng.chance(0.3) ? rng.int(50, 900) * 100 : 0,
      reference: `DEP-${String(n).padStart(4, "0")}`,
      tx: -1,
    },
    at,
  );
}

/** Balanced journals of three kinds: depreciation, payroll and accruals. */
export function addJournal(w: World, rng: Rng, at: number): Row<JournalData> {
  const kind = rng.weighted(["depreciation", "payroll", "accrual"], [2, 3, 1]);
  const n = w.table<JournalData>("journals").rows.length + 1;
  let lines: JournalData["lines"];
  let description: string;
  if (kind === "depreciation") {
    const amount = rng.int(50, 600) * 100;
    description = "Monthly depreciation";
    lines = [
      { ledger: ledgerByRole(w, "depreciation"), debit: amount, credit: 0, details: "Depreciation charge" },
      { ledger: ledgerByRole(w, "equipment_depreciation"), debit: 0, credit: amount, details: "Accumulated depreciation" },
    ];
  } else if (kind === "payroll") {
    const gross = rng.int(2000, 12_000) * 100;
    const deductions = Math.round(gross * (rng.int(18, 32) / 100));
    description = "Payroll";
    lines = [
      { ledger: ledgerByRole(w, "wages"), debit: gross, credit: 0, details: "Gross wages" },
      { ledger: ledgerByRole(w, "net_wages"), debit: 0, credit: gross - deductions, details: "Net wages" },
      { ledger: ledgerByRole(w, "payroll_liability"), debit: 0, credit: deductions, details: "PAYE and NI" },
    ];
  } else {
    const amount = rng.int(100, 2500) * 100;
    const ledger = rng.pick(ledgersByRole(w, "overhead"));
    description = "Accrued expense";
    lines = [
      { ledger, debit: amount, credit: 0, details: "Accrual" },
      { ledger: ledgerByRole(w, "creditors"), debit: 0, credit: amount, details: "Accrual" },
    ];
  }
  return w.table<JournalData>("journals").add(
    {
      date: Math.floor(at / SECONDS_PER_DAY),
      reference: `JNL-${String(n).padStart(4, "0")}`,
      description,
      lines,
      tx: -1,
    },
    at,
  );
}
