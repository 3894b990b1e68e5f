import { SECONDS_PER_DAY } from "../format.js";
import type { Rng } from "../random.js";
import { ledgerByRole } from "./amounts.js";
import { CHART_OF_ACCOUNTS } from "./code-lists.js";
import {
  companyName,
  contactReference,
  emailFor,
  jobTitle,
  personName,
  phone,
  postcode,
  productName,
  serviceName,
  street,
} from "./names.js";
import type {
  AddressData,
  BankAccountData,
  ContactData,
  ItemData,
  ItemKind,
  LedgerAccountData,
  PersonData,
  TaxRateData,
} from "./types.js";
import type { World } from "./world.js";

/** Master data: tax rates, chart of accounts, bank accounts, contacts (+ addresses, people), items. */
export function buildMaster(w: World): void {
  const rng = w.rng("master");
  const origin = w.clock.start - 760 * SECONDS_PER_DAY;
  buildTaxRates(w, origin);
  buildLedgerAccounts(w, origin);
  buildBankAccounts(w, rng, origin);
  buildContacts(w, rng, origin);
  for (const kind of ["products", "services", "stock_items"] as const) buildItems(w, rng, kind, origin);
}

function buildTaxRates(w: World, at: number): void {
  const t = w.createTable<TaxRateData>("tax_rates", (r) => r.d.code);
  const cc = w.business.country.toUpperCase();
  w.profile.taxRates.forEach(([suffix, name, bp], i) => t.add({ code: `${cc}_${suffix}`, name, bp, userCreated: false }, at + i));
}

function buildLedgerAccounts(w: World, at: number): void {
  const t = w.createTable<LedgerAccountData>("ledger_accounts");
  const taxed = new Set(["SALES", "OTHER_INCOME", "DIRECT_EXPENSES", "OVERHEADS"]);
  CHART_OF_ACCOUNTS.forEach(([nominal, name, type, role], i) => {
    t.add({ nominal, name, type, role, tax: taxed.has(type) ? 0 : -1, userCreated: false }, at + 60 + i);
  });
}

function buildBankAccounts(w: World, rng: Rng, at: number): void {
  const t = w.createTable<BankAccountData>("bank_accounts");
  const cc = w.business.country.toUpperCase();
  const accounts: Array<[string, string, string, string]> = [
    ["Current Account", "CHECKING", "bank_current", "BANK_TRANSFER"],
    ["Savings Account", "SAVINGS", "bank_savings", "BANK_TRANSFER"],
    ["Cash in Hand", "CASH_IN_HAND", "bank_cash", "CASH"],
  ];
  accounts.forEach(([name, type, role, method], i) => {
    const number = String(rng.int(10_000_000, 99_999_999));
    const sortCode = `${rng.int(10, 99)}-${rng.int(10, 99)}-${rng.int(10, 99)}`;
    t.add(
      {
        name,
        type,
        ledger: ledgerByRole(w, role),
        method,
        userCreated: false,
        balance: 0,
        number: type === "CASH_IN_HAND" ? "" : number,
        sortCode: type === "CASH_IN_HAND" ? "" : sortCode,
        iban: type === "CASH_IN_HAND" ? "" : `${cc}${rng.int(10, 99)}SAGE${sortCode.replace(/-/g, "")}${number}`,
        bic: type === "CASH_IN_HAND" ? "" : `SAGE${cc}2L`,
      },
      at + 120 + i,
    );
  });
}

function buildContacts(w: World, rng: Rng, origin: number): void {
  const contacts = w.createTable<ContactData>("contacts");
  const addresses = w.createTable<AddressData>("addresses");
  const people = w.createTable<PersonData>("contact_persons");
  const kinds: Array<ContactData["kind"]> = [
    ...Array<ContactData["kind"]>(w.sizes.customers).fill("CUSTOMER"),
    ...Array<ContactData["kind"]>(w.sizes.suppliers).fill("VENDOR"),
  ];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  // Contacts arrive over the first ~14 months of the two-year history.
  const span = 420 * SECONDS_PER_DAY;
  kinds.forEach((kind, i) => {
    const at = origin + 200 + Math.floor((span * i) / kinds.length) + rng.int(0, 3600);
    addContact(w, rng, kind, at, { contacts, addresses, people });
  });
}

export function addContact(
  w: World,
  rng: Rng,
  kind: ContactData["kind"],
  at: number,
  t = {
    contacts: w.table<ContactData>("contacts"),
    addresses: w.table<AddressData>("addresses"),
    people: w.table<PersonData>("contact_persons"),
  },
): number {
  const individual = kind === "CUSTOMER" && rng.chance(0.15);
  const name = individual ? personName(rng) : companyName(rng);
  const seq = t.contacts.rows.length;
  const city = rng.pick(w.profile.cities);
  const address = t.addresses.add(
    {
      contact: seq,
      type: "ACCOUNTS",
      line1: street(rng),
      line2: rng.chance(0.3) ? `Unit ${rng.int(1, 40)}` : "",
      city,
      postcode: postcode(rng, w.business.country),
      main: true,
      name: "Main Address",
    },
    at,
  );
  const delivery =
    kind === "CUSTOMER" && rng.chance(0.25)
      ? t.addresses.add(
          {
            contact: seq,
            type: "DELIVERY",
            line1: street(rng),
            line2: "",
            city: rng.pick(w.profile.cities),
            postcode: postcode(rng, w.business.country),
            main: false,
            name: "Delivery Address",
          },
          at,
        ).seq
      : -1;
  const contactPerson = individual ? name : personName(rng);
  const email = emailFor(contactPerson, name);
  const person = t.people.add(
    {
      contact: seq,
      name: contactPerson,
      job: individual ? "" : jobTitle(rng),
      phone: phone(rng, w.profile.phonePrefix),
      mobile: phone(rng, w.profile.phonePrefix),
      email,
      main: true,
      types: [kind === "CUSTOMER" ? "ACCOUNTS" : "PURCHASING"],
      address: address.seq,
    },
    at,
  );
  if (!individual && rng.chance(0.3)) {
    const other = personName(rng);
    t.people.add(
      {
        contact: seq,
        name: other,
        job: jobTitle(rng),
        phone: phone(rng, w.profile.phonePrefix),
        mobile: "",
        email: emailFor(other, name),
        main: false,
        types: ["SALES"],
        address: address.seq,
      },
      at,
    );
  }
  const taxNumber = rng.chance(kind === "VENDOR" ? 0.8 : 0.35)
    ? `${w.business.country.toUpperCase()}${rng.int(100_000_000, 999_999_999)}`
    : "";
  const foreign = kind === "CUSTOMER" && !individual && rng.chance(0.05);
  t.contacts.add(
    {
      kind,
      name,
      ref: contactReference(name, seq + 1),
      email,
      taxNumber,
      creditLimit: kind === "CUSTOMER" ? rng.int(1, 40) * 50_000 : 0,
      creditDays: rng.weighted([30, 14, 60, 7], [6, 2, 1, 1]),
      address: address.seq,
      delivery,
      person: person.seq,
      balance: 0,
      active: rng.chance(0.96),
      currency: foreign ? w.profile.foreignCurrency : "",
      notes: rng.chance(0.1) ? "Prefers email invoices." : "",
      uses: 0,
    },
    at,
  );
  return seq;
}

function buildItems(w: World, rng: Rng, kind: ItemKind, origin: number): void {
  w.createTable<ItemData>(kind);
  const count = kind === "products" ? w.sizes.products : kind === "services" ? w.sizes.services : w.sizes.stockItems;
  for (let i = 0; i < count; i++) addItem(w, rng, kind, origin + 300 + i * 1800);
}

export function addItem(w: World, rng: Rng, kind: ItemKind, at: number): number {
  const t = w.table<ItemData>(kind);
  const contacts = w.table<ContactData>("contacts");
  const service = kind === "services";
  const cost = service ? rng.int(20, 90) * 100 : rng.int(150, 25_000);
  const vendors = contacts.rows.filter((r) => r.d.kind === "VENDOR");
  const supplier = vendors.length > 0 && rng.chance(0.5) ? rng.pick(vendors).seq : -1;
  if (supplier >= 0) contacts.at(supplier).d.uses++;
  const prefix = kind === "products" ? "PRD" : kind === "services" ? "SRV" : "STK";
  const n = t.rows.length + 1;
  const taxRates = w.table<TaxRateData>("tax_rates").rows;
  const reduced = taxRates.find((r) => r.d.bp > 0 && r.seq > 0);
  return t.add(
    {
      code: `${prefix}-${String(n).padStart(4, "0")}`,
      description: service ? `${serviceName(rng)}${n > 12 ? ` ${Math.ceil(n / 12)}` : ""}` : productName(rng),
      cost,
      price: Math.round((cost * rng.int(130, 220)) / 100),
      tax: reduced && rng.chance(0.1) ? reduced.seq : 0,
      salesLedger: ledgerByRole(w, service ? "sales_services" : "sales_products"),
      purchaseLedger: ledgerByRole(w, service ? "cost_services" : "cost_goods"),
      supplier,
      active: rng.chance(0.95),
      stock: kind === "stock_items" ? rng.int(0, 400) * 100 : 0,
      reorder: kind === "stock_items" ? rng.int(5, 50) * 100 : 0,
      uses: 0,
    },
    at,
  ).seq;
}
