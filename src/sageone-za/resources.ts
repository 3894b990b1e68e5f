import type { ColumnHint } from "../schema/types.js";

/**
 * One list of the Sage One South Africa API and how it lands. Field names are the engine's
 * normalized paths (PascalCase → snake_case, `__` into child tables): `UnitPriceExclusive` in
 * `Lines` is `lines__unit_price_exclusive`.
 */
export interface SaResourceSpec {
  /** Table (and resource) name. */
  name: string;
  /** `<Service>/Get`. */
  service: string;
  /** Ask `includeDetail=true`, so `Lines` come along and become `<name>__lines`. */
  detail: boolean;
  /**
   * Ask only for rows with `Modified` at or after the cursor. Only the documents: the master
   * lists carry balances (Balance, QuantityOnHand, AverageCost) that move with other documents,
   * and whether Sage bumps their `Modified` when that happens is undocumented; they are small
   * (one or a few pages), so they are reloaded in full every run and merged.
   */
  incremental: boolean;
  /** Amounts, quantities and rates: JSON numbers in this API, loaded as DECIMAL so money stays exact. */
  money: readonly string[];
  /** Business dates Sage sends as `2024-03-05T00:00:00`: loaded as DATE. */
  dates: readonly string[];
}

const DOCUMENT_MONEY = ["exclusive", "tax", "discount", "discount_percentage", "rounding", "total", "amount_due"];
const LINE_MONEY = [
  "quantity",
  "unit_price_exclusive",
  "unit_price_inclusive",
  "unit_cost",
  "tax_percentage",
  "discount_percentage",
  "exclusive",
  "discount",
  "tax",
  "total",
].map((f) => `lines__${f}`);

export const SA_RESOURCE_SPECS: readonly SaResourceSpec[] = [
  { name: "customers", service: "Customer", detail: false, incremental: false, money: ["balance", "credit_limit"], dates: [] },
  { name: "suppliers", service: "Supplier", detail: false, incremental: false, money: ["balance", "credit_limit"], dates: [] },
  {
    name: "items",
    service: "Item",
    detail: false,
    incremental: false,
    money: ["price_exclusive", "price_inclusive", "last_cost", "average_cost", "quantity_on_hand"],
    dates: [],
  },
  { name: "tax_types", service: "TaxType", detail: false, incremental: false, money: ["percentage"], dates: [] },
  { name: "accounts", service: "Account", detail: false, incremental: false, money: ["balance"], dates: [] },
  { name: "bank_accounts", service: "BankAccount", detail: false, incremental: false, money: ["balance"], dates: [] },
  {
    name: "tax_invoices",
    service: "TaxInvoice",
    detail: true,
    incremental: true,
    money: [...DOCUMENT_MONEY, ...LINE_MONEY],
    dates: ["date", "due_date"],
  },
  {
    name: "customer_receipts",
    service: "CustomerReceipt",
    detail: false,
    incremental: true,
    money: ["total", "discount"],
    dates: ["date"],
  },
  {
    name: "supplier_invoices",
    service: "SupplierInvoice",
    detail: true,
    incremental: true,
    money: [...DOCUMENT_MONEY, ...LINE_MONEY],
    dates: ["date", "due_date"],
  },
  {
    name: "supplier_payments",
    service: "SupplierPayment",
    detail: false,
    incremental: true,
    money: ["total", "discount"],
    dates: ["date"],
  },
  { name: "journal_entries", service: "JournalEntry", detail: false, incremental: true, money: ["amount"], dates: ["date"] },
];

/** Every resource name, in load order; all are loaded by default. */
export const SAGE_ONE_ZA_RESOURCES: readonly string[] = SA_RESOURCE_SPECS.map((s) => s.name);

/** Same precision as the v3.1 source: 38 digits, 9 after the point (quantities and rates have more than 2). */
const DECIMAL: ColumnHint = { dataType: "decimal", precision: 38, scale: 9 };

/**
 * Column hints of one resource. `company_id` + `id` are the primary key; `Created`/`Modified`
 * are South African local times without a zone (`2024-03-05T10:22:31.117`), kept as naive
 * TIMESTAMPs exactly as Sage sends them rather than guessing an offset.
 */
export function saColumnHints(spec: SaResourceSpec): Record<string, ColumnHint> {
  const hints: Record<string, ColumnHint> = {
    company_id: { dataType: "bigint", nullable: false, primaryKey: true },
    id: { dataType: "bigint", nullable: false, primaryKey: true },
    created: { dataType: "timestamp", timezone: false },
    modified: { dataType: "timestamp", timezone: false },
  };
  for (const f of spec.money) hints[f] = { ...DECIMAL };
  for (const f of spec.dates) hints[f] = { dataType: "date" };
  return hints;
}
