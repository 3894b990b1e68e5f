import { SECONDS_PER_DAY } from "../format.js";
import { Rng, hashString } from "../random.js";
import { companyName, contactReference, emailFor, personName, phone, productName, serviceName, street } from "../world/names.js";

/**
 * Sage One South Africa data: PascalCase records, integer ids, amounts as JSON numbers,
 * `Created`/`Modified` as local (SAST, UTC+2) times without a zone, like the real API.
 */
export type SaRecord = Record<string, unknown>;

export interface SaRow {
  id: number;
  created: number;
  modified: number;
  /** Fields other than ID, Created and Modified. `Lines` only go out with includeDetail=true. */
  d: SaRecord;
}

export const SA_SERVICES = [
  "Customer",
  "Supplier",
  "Item",
  "TaxType",
  "Account",
  "BankAccount",
  "TaxInvoice",
  "CustomerReceipt",
  "SupplierInvoice",
  "SupplierPayment",
  "JournalEntry",
] as const;
export type SaService = (typeof SA_SERVICES)[number];

const SAST = 2 * 3600;
const CITIES = ["Cape Town", "Johannesburg", "Durban", "Pretoria", "Port Elizabeth", "Bloemfontein", "Stellenbosch"];

/** 2024-03-05T10:22:31.117 — local time, milliseconds, no zone. */
export function saTime(seconds: number, salt: number): string {
  const ms = (salt % 997) + 1;
  return new Date((seconds + SAST) * 1000 + ms).toISOString().slice(0, 23);
}

export function saDate(day: number): string {
  return `${new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10)}T00:00:00`;
}

const amount = (cents: number) => Math.round(cents) / 100;

export function renderSa(row: SaRow, includeDetail: boolean): SaRecord {
  const out: SaRecord = { ID: row.id };
  for (const [k, v] of Object.entries(row.d)) if (k !== "Lines" || includeDetail) out[k] = v;
  out.Created = saTime(row.created, row.id);
  out.Modified = saTime(row.modified, row.id * 7);
  return out;
}

export interface SaCompany {
  ID: number;
  Name: string;
}

/** Builds one company's tables. Scale 1 ≈ 1,500 tax invoices. */
export function buildSaCompany(seed: number, index: number, scale: number, startDay: number): Map<SaService, SaRow[]> {
  const rng = new Rng(seed, 0x5a, index);
  const tables = new Map<SaService, SaRow[]>(SA_SERVICES.map((s) => [s, []]));
  const origin = (startDay - 700) * SECONDS_PER_DAY;
  let nextId = 1_000 + index * 100_000;
  const add = (service: SaService, d: SaRecord, at: number): SaRow => {
    const row = { id: nextId++, created: at, modified: at, d };
    tables.get(service)!.push(row);
    return row;
  };
  const n = (base: number, min: number) => Math.max(min, Math.round(base * scale));

  const taxTypes = [
    ["Standard Rate", 15],
    ["Zero Rated", 0],
    ["Exempt", 0],
  ] as const;
  const tax = taxTypes.map(([Name, Percentage], i) =>
    add("TaxType", { Name, Percentage, IsDefault: i === 0, HasActivity: true, IsManualTax: false, Active: true }, origin),
  );
  const accountNames = [
    "Sales",
    "Cost of Sales",
    "Bank Charges",
    "Rent Paid",
    "Telephone",
    "Salaries & Wages",
    "Motor Vehicle Expenses",
    "Computer Expenses",
    "Stationery",
    "Interest Received",
  ];
  const accounts = accountNames.map((Name, i) =>
    add(
      "Account",
      {
        Name,
        Category: { ID: i < 2 ? 1 : i === 9 ? 2 : 3, Description: i < 2 ? "Sales" : i === 9 ? "Other Income" : "Expenses" },
        Active: true,
        Balance: 0,
        Description: Name,
        AccountType: i < 2 || i === 9 ? 1 : 2,
        DefaultTaxTypeId: tax[0]!.id,
      },
      origin + i,
    ),
  );
  const banks = ["FNB Business Cheque", "Standard Bank Savings"].map((Name, i) =>
    add(
      "BankAccount",
      {
        Name,
        BankName: Name.split(" ")[0],
        AccountNumber: String(rng.int(10_000_000, 99_999_999)),
        BranchName: "Main",
        BranchNumber: String(rng.int(100_000, 999_999)),
        Active: true,
        Default: i === 0,
        Balance: 0,
        Description: Name,
        PaymentMethod: 2,
      },
      origin + 10 + i,
    ),
  );
  const party = (supplier: boolean, i: number, at: number) => {
    const name = companyName(rng).replace(/ (Ltd|Limited|LLP)$/, " (Pty) Ltd");
    const contact = personName(rng);
    return add(
      supplier ? "Supplier" : "Customer",
      {
        Name: name,
        TaxReference: rng.chance(0.6) ? `4${rng.int(100_000_000, 999_999_999)}` : "",
        ContactName: contact,
        Telephone: phone(rng, "+27 21"),
        Mobile: phone(rng, "+27 82"),
        Email: emailFor(contact, name),
        Active: true,
        Balance: 0,
        CreditLimit: supplier ? 0 : rng.int(1, 20) * 5000,
        CommunicationMethod: 1,
        PostalAddress01: street(rng),
        PostalAddress02: rng.pick(CITIES),
        PostalAddress03: String(rng.int(1000, 9999)),
        AutoAllocateToOldestInvoice: true,
        ...(supplier ? {} : { CashSale: false, DueDateMethodId: 1, DueDateMethodValue: 30 }),
        HasActivity: false,
        Reference: contactReference(name, i + 1),
      },
      at,
    );
  };
  const customers = Array.from({ length: n(200, 5) }, (_, i) => party(false, i, origin + 100 + i * 3600));
  const suppliers = Array.from({ length: n(60, 3) }, (_, i) => party(true, i, origin + 200 + i * 3600));
  const items = Array.from({ length: n(120, 4) }, (_, i) => {
    const service = i % 4 === 3;
    const cost = rng.int(500, 90_000);
    const price = Math.round((cost * rng.int(130, 200)) / 100);
    return add(
      "Item",
      {
        Code: `${service ? "SRV" : "ITM"}${String(i + 1).padStart(4, "0")}`,
        Description: service ? serviceName(rng) : productName(rng),
        Active: true,
        Physical: !service,
        PriceExclusive: amount(price),
        PriceInclusive: amount(Math.round(price * 1.15)),
        TaxTypeIdSales: tax[0]!.id,
        TaxTypeIdPurchases: tax[0]!.id,
        LastCost: amount(cost),
        AverageCost: amount(cost),
        QuantityOnHand: service ? 0 : rng.int(0, 300),
        Unit: service ? "hour" : "each",
      },
      origin + 300 + i * 600,
    );
  });

  const documents = (service: "TaxInvoice" | "SupplierInvoice", count: number, parties: SaRow[], prefix: string) => {
    const days = Array.from({ length: count }, () => rng.int(startDay - 640, startDay - 1)).sort((a, b) => a - b);
    return days.map((day, i) => {
      const p = rng.pick(parties);
      p.d.HasActivity = true;
      const lines = Array.from({ length: rng.int(1, 3) }, () => {
        const item = rng.pick(items);
        const qty = rng.int(1, 12);
        const unit = Math.round((item.d.PriceExclusive as number) * 100);
        const exclusive = qty * unit;
        const vat = Math.round(exclusive * 0.15);
        return {
          SelectionId: item.id,
          TaxTypeId: tax[0]!.id,
          Description: item.d.Description,
          LineType: 0,
          Quantity: qty,
          UnitPriceExclusive: amount(unit),
          UnitPriceInclusive: amount(Math.round(unit * 1.15)),
          TaxPercentage: 0.15,
          DiscountPercentage: 0,
          Exclusive: amount(exclusive),
          Discount: 0,
          Tax: amount(vat),
          Total: amount(exclusive + vat),
        };
      });
      const exclusive = lines.reduce((s, l) => s + Math.round(l.Exclusive * 100), 0);
      const vat = lines.reduce((s, l) => s + Math.round(l.Tax * 100), 0);
      const paid = day < startDay - 45 ? rng.chance(0.9) : rng.chance(0.3);
      const party =
        service === "TaxInvoice" ? { CustomerId: p.id, CustomerName: p.d.Name } : { SupplierId: p.id, SupplierName: p.d.Name };
      return add(
        service,
        {
          Date: saDate(day),
          DueDate: saDate(day + 30),
          ...party,
          DocumentNumber: `${prefix}${String(i + 1).padStart(7, "0")}`,
          Reference:
            service === "SupplierInvoice" ? `SUP-${rng.int(1000, 99_999)}` : rng.chance(0.4) ? `PO${rng.int(1000, 9999)}` : "",
          Status: paid ? "Paid" : "Unpaid",
          Paid: paid,
          Exclusive: amount(exclusive),
          Tax: amount(vat),
          Discount: 0,
          Total: amount(exclusive + vat),
          AmountDue: paid ? 0 : amount(exclusive + vat),
          Inclusive: false,
          Printed: rng.chance(0.7),
          Editable: !paid,
          Lines: lines,
        },
        day * SECONDS_PER_DAY + 28_800 + rng.int(0, 28_800),
      );
    });
  };
  const invoices = documents("TaxInvoice", n(1500, 10), customers, "INV");
  const bills = documents("SupplierInvoice", n(500, 5), suppliers, "SINV");
  const settle = (service: "CustomerReceipt" | "SupplierPayment", docs: SaRow[], prefix: string) => {
    const paid = docs.filter((d) => d.d.Paid === true);
    paid.forEach((doc, i) => {
      const customer = service === "CustomerReceipt";
      const at = doc.created + rng.int(1, 30) * SECONDS_PER_DAY;
      const day = Math.min(startDay - 1, Math.floor(at / SECONDS_PER_DAY));
      add(
        service,
        {
          ...(customer
            ? { CustomerId: doc.d.CustomerId, CustomerName: doc.d.CustomerName }
            : { SupplierId: doc.d.SupplierId, SupplierName: doc.d.SupplierName }),
          Date: saDate(day),
          DocumentNumber: `${prefix}${String(i + 1).padStart(7, "0")}`,
          Reference: doc.d.DocumentNumber,
          Description: `Payment for ${String(doc.d.DocumentNumber)}`,
          Total: doc.d.Total,
          Discount: 0,
          BankAccountId: banks[0]!.id,
          PaymentMethod: rng.pick([1, 2, 3]),
          Reconciled: rng.chance(0.8),
        },
        day * SECONDS_PER_DAY + 36_000,
      );
      doc.modified = Math.max(doc.modified, day * SECONDS_PER_DAY + 36_000);
    });
    tables.get(service)!.sort((a, b) => a.created - b.created || a.id - b.id);
  };
  settle("CustomerReceipt", invoices, "RC");
  settle("SupplierPayment", bills, "SP");
  const journals = Array.from({ length: n(150, 3) }, () => rng.int(startDay - 640, startDay - 1)).sort((a, b) => a - b);
  journals.forEach((day, i) => {
    const debit = rng.pick(accounts.slice(2, 9));
    add(
      "JournalEntry",
      {
        Date: saDate(day),
        Effect: 1,
        AccountId: debit.id,
        AccountName: debit.d.Name,
        ContraAccountId: accounts[0]!.id,
        ContraAccountName: accounts[0]!.d.Name,
        Amount: amount(rng.int(1000, 500_000)),
        Description: "Month-end adjustment",
        Reference: `JNL${String(i + 1).padStart(5, "0")}`,
        TaxTypeId: tax[2]!.id,
      },
      day * SECONDS_PER_DAY + 61_200,
    );
  });
  return tables;
}

export function saCompanies(seed: number, count: number): SaCompany[] {
  const rng = new Rng(seed, 0x5ac0);
  return Array.from({ length: count }, (_, i) => ({
    ID: 31_000 + i * 1000 + (hashString(`${seed}:${i}`) % 900),
    Name: `${companyName(rng).replace(/ (Ltd|Limited|LLP|Group|Services|Partners|& Co)$/, "")} (Pty) Ltd`,
  }));
}
