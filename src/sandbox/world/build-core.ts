import { taxOf, toBase } from "../format.js";
import { artefactTotals, taxRate } from "./amounts.js";
import { CREDIT_NOTES, buildArtefacts } from "./build-artefacts.js";
import { buildMaster } from "./build-master.js";
import { buildSettlements } from "./build-settlements.js";
import { ARTEFACT_TABLES, buildLedger } from "./ledger.js";
import type {
  ArtefactData,
  BankAccountData,
  ContactData,
  DepositData,
  OtherPaymentData,
  PaymentData,
  TransferData,
} from "./types.js";
import type { World } from "./world.js";

/** The tables generated together because they reference each other. */
export const CORE_TABLES: ReadonlySet<string> = new Set([
  "tax_rates",
  "ledger_accounts",
  "bank_accounts",
  "contacts",
  "addresses",
  "contact_persons",
  "products",
  "services",
  "stock_items",
  "sales_invoices",
  "sales_credit_notes",
  "sales_quick_entries",
  "purchase_invoices",
  "purchase_credit_notes",
  "purchase_quick_entries",
  "contact_payments",
  "contact_allocations",
  "other_payments",
  "bank_transfers",
  "bank_deposits",
  "journals",
  "transactions",
  "ledger_entries",
]);

export function buildCore(w: World): void {
  buildMaster(w);
  buildArtefacts(w);
  buildSettlements(w);
  buildLedger(w);
  computeBalances(w);
}

/**
 * Contact and bank balances as of generation. They are stored, not derived on every read,
 * because Sage does not bump a contact's updated_at when its invoices change either: the
 * values stay consistent with what an incremental load sees.
 */
function computeBalances(w: World): void {
  const contacts = w.table<ContactData>("contacts");
  for (const table of ARTEFACT_TABLES) {
    for (const row of w.table<ArtefactData>(table).rows) {
      const open = artefactTotals(w, row.d).total - row.d.paid - row.d.allocated;
      const c = contacts.at(row.d.contact);
      c.d.balance += (CREDIT_NOTES.has(table) ? -1 : 1) * toBase(open, row.d.rate);
    }
  }
  const banks = w.table<BankAccountData>("bank_accounts").rows;
  const move = (bank: number, cents: number) => {
    banks[bank]!.d.balance += cents;
  };
  for (const p of w.table<PaymentData>("contact_payments").rows) {
    const total = p.d.allocs.reduce((s, a) => s + toBase(a.cents, p.d.rate), 0);
    move(p.d.bank, p.d.kind === "CUSTOMER_RECEIPT" ? total : -total);
  }
  for (const o of w.table<OtherPaymentData>("other_payments").rows) {
    const total = o.d.lines.reduce((s, l) => s + l.net + taxOf(l.net, taxRate(w, l.tax).bp), 0);
    move(o.d.bank, o.d.kind === "OTHER_RECEIPT" ? total : -total);
  }
  for (const t of w.table<TransferData>("bank_transfers").rows) {
    move(t.d.to, t.d.amount);
    move(t.d.from, -t.d.amount);
  }
  for (const d of w.table<DepositData>("bank_deposits").rows) {
    move(d.d.to, d.d.cash + d.d.cheque);
    move(d.d.from, -(d.d.cash + d.d.cheque));
  }
}
