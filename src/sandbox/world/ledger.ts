import { toBase } from "../format.js";
import { artefactTotals, ledgerByRole, taxRate } from "./amounts.js";
import { CREDIT_NOTES, SALES_SIDE } from "./build-artefacts.js";
import type { Row } from "./table.js";
import type {
  AllocationData,
  ArtefactData,
  ArtefactTable,
  BankAccountData,
  DepositData,
  JournalData,
  LedgerEntryData,
  OtherPaymentData,
  PaymentData,
  Posting,
  PostingTable,
  TransactionData,
  TransferData,
} from "./types.js";
import type { World } from "./world.js";

export const ARTEFACT_TABLES: readonly ArtefactTable[] = [
  "sales_invoices",
  "sales_credit_notes",
  "sales_quick_entries",
  "purchase_invoices",
  "purchase_credit_notes",
  "purchase_quick_entries",
];

export const POSTING_TABLES: readonly PostingTable[] = [
  ...ARTEFACT_TABLES,
  "contact_payments",
  "contact_allocations",
  "other_payments",
  "bank_transfers",
  "bank_deposits",
  "journals",
];

export const TRANSACTION_TYPES: Readonly<Record<PostingTable, string>> = {
  sales_invoices: "SALES_INVOICE",
  sales_credit_notes: "SALES_CREDIT_NOTE",
  sales_quick_entries: "SALES_QUICK_ENTRY_INVOICE",
  purchase_invoices: "PURCHASE_INVOICE",
  purchase_credit_notes: "PURCHASE_CREDIT_NOTE",
  purchase_quick_entries: "PURCHASE_QUICK_ENTRY_INVOICE",
  contact_payments: "CUSTOMER_RECEIPT",
  contact_allocations: "CUSTOMER_ALLOCATION",
  other_payments: "OTHER_PAYMENT",
  bank_transfers: "BANK_TRANSFER",
  bank_deposits: "BANK_DEPOSIT",
  journals: "JOURNAL",
};

const posting = (ledger: number, debit: number, credit: number, details: string, contact = -1, tax = -1): Posting => ({
  ledger,
  debit,
  credit,
  details,
  contact,
  tax,
});

const bankLedger = (w: World, seq: number) => w.table<BankAccountData>("bank_accounts").at(seq).d.ledger;

/**
 * The double entry of a source row, in base currency. The number of postings of a row never
 * changes when its amounts change (mutations change quantities and prices, not tax codes), so
 * a row's ledger entries keep their identities.
 */
export function postingsFor(w: World, src: PostingTable, seq: number): Posting[] {
  const row = w.table(src).at(seq);
  switch (src) {
    case "contact_payments": {
      const d = row.d as PaymentData;
      const total = d.allocs.reduce((s, a) => s + toBase(a.cents, d.rate), 0);
      const control = d.kind === "CUSTOMER_RECEIPT" ? ledgerByRole(w, "debtors") : ledgerByRole(w, "creditors");
      const bank = bankLedger(w, d.bank);
      return d.kind === "CUSTOMER_RECEIPT"
        ? [posting(bank, total, 0, "Customer receipt", d.contact), posting(control, 0, total, "Customer receipt", d.contact)]
        : [posting(control, total, 0, "Supplier payment", d.contact), posting(bank, 0, total, "Supplier payment", d.contact)];
    }
    case "contact_allocations":
      // Allocations move balances between documents of one contact: nothing posts to the ledger.
      return [];
    case "other_payments": {
      const d = row.d as OtherPaymentData;
      const receipt = d.kind === "OTHER_RECEIPT";
      const out: Posting[] = [];
      let tax = 0;
      for (const l of d.lines) {
        const t = Math.round((l.net * taxRate(w, l.tax).bp) / 10_000);
        tax += t;
        out.push(
          receipt
            ? posting(l.ledger, 0, l.net, l.details, d.contact, l.tax)
            : posting(l.ledger, l.net, 0, l.details, d.contact, l.tax),
        );
      }
      const taxed = d.lines.some((l) => taxRate(w, l.tax).bp > 0);
      if (taxed) {
        out.push(
          receipt
            ? posting(ledgerByRole(w, "sales_tax"), 0, tax, "Tax", d.contact)
            : posting(ledgerByRole(w, "purchase_tax"), tax, 0, "Tax", d.contact),
        );
      }
      const total = d.lines.reduce((s, l) => s + l.net, 0) + tax;
      out.push(
        receipt ? posting(bankLedger(w, d.bank), total, 0, d.reference) : posting(bankLedger(w, d.bank), 0, total, d.reference),
      );
      return out;
    }
    case "bank_transfers": {
      const d = row.d as TransferData;
      return [
        posting(bankLedger(w, d.to), d.amount, 0, d.description),
        posting(bankLedger(w, d.from), 0, d.amount, d.description),
      ];
    }
    case "bank_deposits": {
      const d = row.d as DepositData;
      const total = d.cash + d.cheque;
      return [posting(bankLedger(w, d.to), total, 0, "Bank deposit"), posting(bankLedger(w, d.from), 0, total, "Bank deposit")];
    }
    case "journals":
      return (row.d as JournalData).lines.map((l) => posting(l.ledger, l.debit, l.credit, l.details));
    default:
      return artefactPostings(w, src, row as Row<ArtefactData>);
  }
}

function artefactPostings(w: World, src: ArtefactTable, row: Row<ArtefactData>): Posting[] {
  const d = row.d;
  const t = artefactTotals(w, d);
  const sales = SALES_SIDE.has(src);
  // Sales invoices and purchase credit notes debit the control account; the others credit it.
  const controlDebit = sales !== CREDIT_NOTES.has(src);
  const control = ledgerByRole(w, sales ? "debtors" : "creditors");
  const taxAccount = ledgerByRole(w, sales ? "sales_tax" : "purchase_tax");
  const side = (amount: number, debit: boolean, ledger: number, details: string, tax = -1) =>
    posting(ledger, debit ? amount : 0, debit ? 0 : amount, details, d.contact, tax);
  const out = [side(t.baseTotal, controlDebit, control, "Control")];
  d.lines.forEach((l, i) => out.push(side(t.lines[i]!.baseNet, !controlDebit, l.ledger, l.description, l.tax)));
  if (d.lines.some((l) => taxRate(w, l.tax).bp > 0)) out.push(side(t.baseTax, !controlDebit, taxAccount, "Tax"));
  return out;
}

/** How many postings `postingsFor` returns, without computing amounts (generation hot path). */
function postingCount(w: World, src: PostingTable, row: Row<{ tx: number }>): number {
  const taxed = (lines: Array<{ tax: number }>) => (lines.some((l) => taxRate(w, l.tax).bp > 0) ? 1 : 0);
  if ((ARTEFACT_TABLES as readonly string[]).includes(src)) {
    const d = row.d as unknown as ArtefactData;
    return 1 + d.lines.length + taxed(d.lines);
  }
  if (src === "other_payments") {
    const d = row.d as unknown as OtherPaymentData;
    return d.lines.length + taxed(d.lines) + 1;
  }
  if (src === "journals") return (row.d as unknown as JournalData).lines.length;
  if (src === "contact_allocations") return 0;
  return 2;
}

export function transactionType(src: PostingTable, d: unknown): string {
  if (src === "contact_payments") return (d as PaymentData).kind;
  if (src === "contact_allocations") return (d as AllocationData).kind;
  if (src === "other_payments") return (d as OtherPaymentData).kind;
  return TRANSACTION_TYPES[src];
}

/** Post a source row: one transaction plus one ledger entry per posting. */
export function addTransaction(w: World, src: PostingTable, row: Row<{ tx: number }>): Row<TransactionData> {
  const txs = w.table<TransactionData>("transactions");
  const tx = txs.add({ src, seq: row.seq, auditId: 100_000 + txs.rows.length }, row.createdAt);
  row.d.tx = tx.seq;
  const entries = w.table<LedgerEntryData>("ledger_entries");
  const n = postingCount(w, src, row);
  for (let k = 0; k < n; k++) entries.add({ tx: tx.seq, k }, row.createdAt);
  return tx;
}

/** The ledger entry rows of a transaction (they are created together, so they are contiguous). */
export function entriesOf(w: World, txSeq: number): Array<Row<LedgerEntryData>> {
  const rows = w.table<LedgerEntryData>("ledger_entries").rows;
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.d.tx < txSeq) lo = mid + 1;
    else hi = mid;
  }
  const out: Array<Row<LedgerEntryData>> = [];
  for (let i = lo; i < rows.length && rows[i]!.d.tx === txSeq; i++) out.push(rows[i]!);
  return out;
}

export function buildLedger(w: World): void {
  w.createTable<TransactionData>("transactions");
  w.createTable<LedgerEntryData>("ledger_entries");
  const sources: Array<{ src: PostingTable; order: number; row: Row<{ tx: number }> }> = [];
  POSTING_TABLES.forEach((src, order) => {
    for (const row of w.table<{ tx: number }>(src).rows) sources.push({ src, order, row });
  });
  sources.sort((a, b) => a.row.createdAt - b.row.createdAt || a.order - b.order || a.row.seq - b.row.seq);
  for (const s of sources) addTransaction(w, s.src, s.row);
}
