import { isoDate, money, percent, taxOf, toBase } from "../format.js";
import { hashString, hexId } from "../random.js";
import { taxRate } from "../world/amounts.js";
import { transactionType } from "../world/ledger.js";
import type {
  AllocationData,
  DepositData,
  JournalData,
  OtherPaymentData,
  PaymentData,
  PostingTable,
  TransferData,
} from "../world/types.js";
import type { Row } from "../world/table.js";
import type { Rec, World } from "../world/world.js";
import { head, renderer, stamps, type Renderer } from "./renderer.js";

/** The header every posting document shares: base attributes, stamps, transaction and its type. */
function postingHead(w: World, name: PostingTable, row: Row<{ tx: number }>): Rec {
  const out: Rec = { ...head(w, name, row), ...stamps(row) };
  if (row.d.tx >= 0) out.transaction = w.ref("transactions", row.d.tx);
  out.transaction_type = w.codeRef("transaction_types", transactionType(name, row.d));
  return out;
}

const childId = (w: World, name: string, seq: number, i: number) => hexId(...w.idSeed, hashString(`${name}:child`), seq, i);

const contactPayments = renderer<PaymentData>({
  label: (row) => row.d.reference || `${row.d.kind === "CUSTOMER_RECEIPT" ? "Receipt" : "Payment"} ${isoDate(row.d.date)}`,
  date: (row, field) => (field === "date" ? row.d.date : undefined),
  render(row, w) {
    const d = row.d;
    const out = postingHead(w, "contact_payments", row);
    out.links = w.links("contact_payments", out.id as string);
    const total = d.allocs.reduce((s, a) => s + a.cents, 0);
    const base = d.allocs.reduce((s, a) => s + toBase(a.cents, d.rate), 0);
    Object.assign(out, {
      payment_method: w.codeRef("payment_methods", d.method),
      contact: w.ref("contacts", d.contact),
      bank_account: w.ref("bank_accounts", d.bank),
      date: isoDate(d.date),
      net_amount: money(total),
      tax_amount: "0.00",
      total_amount: money(total),
      currency: w.codeRef("currencies", d.currency || w.currency),
      exchange_rate: money(d.rate),
      base_currency_net_amount: money(base),
      base_currency_tax_amount: "0.00",
      base_currency_total_amount: money(base),
      base_currency_currency_charge: "0.00",
    });
    if (d.reference) out.reference = d.reference;
    out.allocated_artefacts = d.allocs.map((a, i) => ({
      id: childId(w, "contact_payments", row.seq, i),
      artefact: w.ref(a.res, a.seq),
      amount: money(a.cents),
      discount: "0.00",
    }));
    out.editable = true;
    return out;
  },
});

const contactAllocations = renderer<AllocationData>({
  label: (row) => `${row.d.kind === "CUSTOMER_ALLOCATION" ? "Customer" : "Supplier"} Allocation ${isoDate(row.d.date)}`,
  date: (row, field) => (field === "date" ? row.d.date : undefined),
  render(row, w) {
    const d = row.d;
    const out = postingHead(w, "contact_allocations", row);
    out.links = w.links("contact_allocations", out.id as string);
    out.date = isoDate(d.date);
    out.contact = w.ref("contacts", d.contact);
    out.allocated_artefacts = d.allocs.map((a, i) => ({
      id: childId(w, "contact_allocations", row.seq, i),
      artefact: w.ref(a.res, a.seq),
      amount: money(a.cents),
    }));
    return out;
  },
});

const otherPayments = renderer<OtherPaymentData>({
  label: (row) => row.d.reference,
  date: (row, field) => (field === "date" ? row.d.date : undefined),
  render(row, w) {
    const d = row.d;
    const out = postingHead(w, "other_payments", row);
    let net = 0;
    let tax = 0;
    const lines = d.lines.map((l, i) => {
      const bp = taxRate(w, l.tax).bp;
      const t = taxOf(l.net, bp);
      net += l.net;
      tax += t;
      return {
        id: childId(w, "other_payments", row.seq, i),
        displayed_as: l.details,
        ledger_account: w.ref("ledger_accounts", l.ledger),
        details: l.details,
        tax_rate: w.ref("tax_rates", l.tax),
        net_amount: money(l.net),
        tax_amount: money(t),
        total_amount: money(l.net + t),
        tax_breakdown: [{ tax_rate: w.ref("tax_rates", l.tax), percentage: percent(bp), amount: money(t) }],
        is_purchase_for_resale: false,
        trade_of_asset: false,
      };
    });
    out.payment_method = w.codeRef("payment_methods", d.method);
    if (d.contact >= 0) out.contact = w.ref("contacts", d.contact);
    out.bank_account = w.ref("bank_accounts", d.bank);
    Object.assign(out, {
      date: isoDate(d.date),
      net_amount: money(net),
      tax_amount: money(tax),
      total_amount: money(net + tax),
      reference: d.reference,
      payment_lines: lines,
      editable: true,
      deletable: true,
      withholding_tax_rate: "0.00",
      withholding_tax_amount: "0.00",
    });
    return out;
  },
});

const bankTransfers = renderer<TransferData>({
  label: (row) => row.d.reference,
  date: (row, field) => (field === "date" ? row.d.date : undefined),
  render(row, w) {
    const d = row.d;
    return {
      ...postingHead(w, "bank_transfers", row),
      from_bank_account: w.ref("bank_accounts", d.from),
      to_bank_account: w.ref("bank_accounts", d.to),
      date: isoDate(d.date),
      reference: d.reference,
      amount: money(d.amount),
      description: d.description,
    };
  },
});

const bankDeposits = renderer<DepositData>({
  label: (row) => row.d.reference,
  date: (row, field) => (field === "date" ? row.d.date : undefined),
  render(row, w) {
    const d = row.d;
    return {
      ...postingHead(w, "bank_deposits", row),
      from_bank_account: w.ref("bank_accounts", d.from),
      to_bank_account: w.ref("bank_accounts", d.to),
      date: isoDate(d.date),
      reference: d.reference,
      cash_amount: money(d.cash),
      cheque_amount: money(d.cheque),
      total_amount: money(d.cash + d.cheque),
    };
  },
});

const journals = renderer<JournalData>({
  label: (row) => row.d.reference,
  date: (row, field) => (field === "date" ? row.d.date : undefined),
  render(row, w) {
    const d = row.d;
    return {
      ...postingHead(w, "journals", row),
      date: isoDate(d.date),
      reference: d.reference,
      description: d.description,
      total: money(d.lines.reduce((s, l) => s + l.debit, 0)),
      journal_lines: d.lines.map((l, i) => ({
        id: childId(w, "journals", row.seq, i),
        ledger_account: w.ref("ledger_accounts", l.ledger),
        details: l.details,
        debit: money(l.debit),
        credit: money(l.credit),
        analysis_type_categories: [],
        include_on_tax_return: false,
        tax_reconciled: false,
        cleared: false,
        bank_reconciled: false,
      })),
      migrated: false,
    };
  },
});

export const SETTLEMENT_RENDERERS: Readonly<Record<string, Renderer>> = {
  contact_payments: contactPayments,
  contact_allocations: contactAllocations,
  other_payments: otherPayments,
  bank_transfers: bankTransfers,
  bank_deposits: bankDeposits,
  journals,
};
