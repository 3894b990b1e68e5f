/**
 * Compact row data of the hand-made resources. Money in integer cents, quantities and rates in
 * hundredths, tax in basis points, dates as day numbers, times as epoch seconds. References to
 * other rows are their `seq` in the target table (-1: none).
 */

export interface TaxRateData {
  code: string;
  name: string;
  bp: number;
  userCreated: boolean;
}

export interface LedgerAccountData {
  nominal: number;
  name: string;
  type: string;
  role: string;
  tax: number;
  userCreated: boolean;
}

export interface BankAccountData {
  name: string;
  type: string;
  ledger: number;
  number: string;
  sortCode: string;
  iban: string;
  bic: string;
  balance: number;
  method: string;
  userCreated: boolean;
}

export interface ContactData {
  kind: "CUSTOMER" | "VENDOR";
  name: string;
  ref: string;
  email: string;
  taxNumber: string;
  creditLimit: number;
  creditDays: number;
  address: number;
  delivery: number;
  person: number;
  balance: number;
  active: boolean;
  currency: string;
  notes: string;
  uses: number;
}

export interface AddressData {
  contact: number;
  type: "ACCOUNTS" | "DELIVERY";
  line1: string;
  line2: string;
  city: string;
  postcode: string;
  main: boolean;
  name: string;
}

export interface PersonData {
  contact: number;
  name: string;
  job: string;
  phone: string;
  mobile: string;
  email: string;
  main: boolean;
  types: string[];
  address: number;
}

export type ItemKind = "products" | "services" | "stock_items";

export interface ItemData {
  code: string;
  description: string;
  cost: number;
  price: number;
  tax: number;
  salesLedger: number;
  purchaseLedger: number;
  supplier: number;
  active: boolean;
  stock: number;
  reorder: number;
  uses: number;
}

export interface LineData {
  /** Table of the item, or null for a ledger-only line. */
  itemKind: ItemKind | null;
  item: number;
  description: string;
  qty: number;
  price: number;
  tax: number;
  ledger: number;
  discount: number;
}

/** The six artefact tables share this shape; quick entries have exactly one line. */
export interface ArtefactData {
  contact: number;
  date: number;
  due: number;
  number: number;
  reference: string;
  notes: string;
  lines: LineData[];
  /** Foreign currency code, or "" for the business currency. */
  currency: string;
  rate: number;
  /** Cents settled by contact payments and by allocations (credit notes against invoices). */
  paid: number;
  allocated: number;
  lastPaid: number;
  payments: number[];
  allocations: number[];
  sent: boolean;
  tx: number;
}

export type ArtefactTable =
  | "sales_invoices"
  | "sales_credit_notes"
  | "sales_quick_entries"
  | "purchase_invoices"
  | "purchase_credit_notes"
  | "purchase_quick_entries";

export interface AllocRef {
  res: ArtefactTable;
  seq: number;
  cents: number;
}

export interface PaymentData {
  kind: "CUSTOMER_RECEIPT" | "VENDOR_PAYMENT";
  contact: number;
  bank: number;
  method: string;
  date: number;
  reference: string;
  allocs: AllocRef[];
  currency: string;
  rate: number;
  tx: number;
}

export interface AllocationData {
  kind: "CUSTOMER_ALLOCATION" | "VENDOR_ALLOCATION";
  contact: number;
  date: number;
  allocs: AllocRef[];
  tx: number;
}

export interface OtherPaymentLine {
  ledger: number;
  tax: number;
  net: number;
  details: string;
}

export interface OtherPaymentData {
  kind: "OTHER_PAYMENT" | "OTHER_RECEIPT";
  contact: number;
  bank: number;
  method: string;
  date: number;
  reference: string;
  lines: OtherPaymentLine[];
  tx: number;
}

export interface TransferData {
  from: number;
  to: number;
  date: number;
  amount: number;
  reference: string;
  description: string;
  tx: number;
}

export interface DepositData {
  from: number;
  to: number;
  date: number;
  cash: number;
  cheque: number;
  reference: string;
  tx: number;
}

export interface JournalLineData {
  ledger: number;
  debit: number;
  credit: number;
  details: string;
}

export interface JournalData {
  date: number;
  reference: string;
  description: string;
  lines: JournalLineData[];
  tx: number;
}

/** Tables whose rows post to the ledger through a transaction. */
export type PostingTable =
  ArtefactTable | "contact_payments" | "contact_allocations" | "other_payments" | "bank_transfers" | "bank_deposits" | "journals";

export interface TransactionData {
  src: PostingTable;
  seq: number;
  auditId: number;
}

export interface LedgerEntryData {
  tx: number;
  k: number;
}

/** One posting of a transaction to a ledger account (amounts in base-currency cents). */
export interface Posting {
  ledger: number;
  debit: number;
  credit: number;
  details: string;
  contact: number;
  tax: number;
}
