import { isoDate, money, percent } from "../format.js";
import { hashString, hexId } from "../random.js";
import { ledgerByRole } from "../world/amounts.js";
import type { Row } from "../world/table.js";
import type {
  AddressData,
  BankAccountData,
  ContactData,
  ItemData,
  LedgerAccountData,
  PersonData,
  TaxRateData,
} from "../world/types.js";
import type { Rec, World } from "../world/world.js";
import { head, renderer, stamps, type Renderer } from "./renderer.js";

const CONTROL_NAMES: Readonly<Record<string, string>> = {
  debtors: "Debtors",
  creditors: "Creditors",
  sales_tax: "Sales Tax",
  purchase_tax: "Purchase Tax",
};
const GROUPS: Readonly<Record<string, string>> = {
  SALES: "SALES",
  OTHER_INCOME: "SALES",
  DIRECT_EXPENSES: "EXPENSES",
  OVERHEADS: "EXPENSES",
  DEPRECIATION: "EXPENSES",
  CURRENT_ASSETS: "ASSETS",
  FIXED_ASSETS: "ASSETS",
  BANK: "ASSETS",
};
const EU = new Set(["ie", "fr", "es", "de"]);

export function countryGroup(country: string): string {
  return country === "gb" ? "GB" : EU.has(country) ? "EU" : "NON_EU";
}

export function renderAddress(w: World, row: Row<AddressData>): Rec {
  const d = row.d;
  const out: Rec = { ...head(w, "addresses", row), ...stamps(row) };
  out.address_line_1 = d.line1;
  if (d.line2) out.address_line_2 = d.line2;
  out.city = d.city;
  out.postal_code = d.postcode;
  out.country = w.codeRef("countries", w.business.country.toUpperCase());
  out.contact = w.ref("contacts", d.contact);
  out.address_type = w.codeRef("address_types", d.type);
  out.name = d.name;
  out.country_group = w.codeRef("country_groups", countryGroup(w.business.country));
  out.is_main_address = d.main;
  return out;
}

export function renderPerson(w: World, row: Row<PersonData>): Rec {
  const d = row.d;
  const out: Rec = { ...head(w, "contact_persons", row), ...stamps(row) };
  out.contact_person_types = d.types.map((t) => w.codeRef("contact_person_types", t));
  out.name = d.name;
  if (d.job) out.job_title = d.job;
  out.telephone = d.phone;
  if (d.mobile) out.mobile = d.mobile;
  out.email = d.email;
  out.is_main_contact = d.main;
  out.address = w.ref("addresses", d.address);
  out.is_preferred_contact = d.main;
  return out;
}

const contacts = renderer<ContactData>({
  label: (row) => `${row.d.name} (${row.d.ref})`,
  render(row, w) {
    const d = row.d;
    const customer = d.kind === "CUSTOMER";
    const out: Rec = { ...head(w, "contacts", row), ...stamps(row) };
    const id = out.id as string;
    out.links = w.links("contacts", id);
    out.balance = money(d.balance);
    out.contact_types = [w.codeRef("contact_types", d.kind)];
    out.name = d.name;
    out.reference = d.ref;
    if (customer) {
      out.default_sales_ledger_account = w.ref("ledger_accounts", ledgerByRole(w, "sales_products"));
      out.default_sales_tax_rate = w.ref("tax_rates", 0);
    } else {
      out.default_purchase_ledger_account = w.ref("ledger_accounts", ledgerByRole(w, "cost_goods"));
    }
    if (d.taxNumber) out.tax_number = d.taxNumber;
    if (d.notes) out.notes = d.notes;
    out.locale = w.business.country === "fr" ? "fr" : w.business.country === "es" ? "es" : "en";
    out.main_address = renderAddress(w, w.table<AddressData>("addresses").at(d.address));
    if (d.delivery >= 0) out.delivery_address = renderAddress(w, w.table<AddressData>("addresses").at(d.delivery));
    out.main_contact_person = renderPerson(w, w.table<PersonData>("contact_persons").at(d.person));
    if (!customer) {
      const rng = hashString(id);
      out.bank_account_details = {
        account_name: d.name.slice(0, 30),
        account_number: String(10_000_000 + (rng % 89_999_999)),
        sort_code: `${10 + (rng % 89)}-${10 + ((rng >>> 8) % 89)}-${10 + ((rng >>> 16) % 89)}`,
      };
    }
    out.credit_limit = money(d.creditLimit);
    out.credit_days = d.creditDays;
    out.credit_terms = customer ? "date_from_invoice" : "date_from_payment";
    out.currency = w.codeRef("currencies", d.currency || w.currency);
    out.deletable = d.uses === 0;
    out.tax_treatment = {
      home_tax: !d.currency,
      eu_tax_registered: false,
      eu_not_tax_registered: false,
      rest_of_world_tax: !!d.currency,
      is_importer: false,
    };
    out.email = d.email;
    out.gdpr_obfuscated = false;
    out.system = false;
    out.has_unfinished_recurring_invoices = false;
    out.cis_registered = false;
    out.ni_based = false;
    out.is_active = d.active;
    out.gb_based = w.business.country === "gb";
    return out;
  },
});

const ledgerAccounts = renderer<LedgerAccountData>({
  label: (row) => `${row.d.name} (${row.d.nominal})`,
  render(row, w) {
    const d = row.d;
    const group = GROUPS[d.type] ?? "LIABILITIES";
    const out: Rec = { ...head(w, "ledger_accounts", row), ...stamps(row, false) };
    out.ledger_account_group = { id: group, displayed_as: group.slice(0, 1) + group.slice(1).toLowerCase() };
    out.name = d.name;
    out.display_name = d.name;
    const income = d.type === "SALES" || d.type === "OTHER_INCOME";
    const expense = d.type === "OVERHEADS" || d.type === "DIRECT_EXPENSES";
    out.visible_scopes = [
      "journals",
      "reporting",
      ...(income ? ["sales", "other_receipt"] : []),
      ...(expense ? ["expenses", "other_payment"] : []),
      ...(d.type === "BANK" ? ["bank"] : []),
    ];
    out.included_in_chart = true;
    out.nominal_code = d.nominal;
    out.ledger_account_type = w.codeRef("ledger_account_types", d.type);
    if (d.tax >= 0) out.tax_rate = w.ref("tax_rates", d.tax);
    out.fixed_tax_rate = false;
    out.visible_in_banking = d.type === "BANK" || expense || income;
    out.visible_in_expenses = expense;
    out.visible_in_journals = true;
    out.visible_in_other_payments = expense;
    out.visible_in_other_receipts = income;
    out.visible_in_reporting = true;
    out.visible_in_sales = income;
    const control = CONTROL_NAMES[d.role];
    out.is_control_account = control !== undefined;
    if (control) out.control_name = control;
    out.display_formatted = `${d.nominal} - ${d.name}`;
    out.tax_recoverable = expense;
    out.cis_materials = false;
    out.cis_labour = false;
    out.tax_instalment = false;
    return out;
  },
});

const taxRates = renderer<TaxRateData>({
  label: (row) => `${row.d.name} ${percent(row.d.bp)}%`,
  render(row, w) {
    const d = row.d;
    return {
      ...head(w, "tax_rates", row),
      ...stamps(row, false),
      name: d.name,
      agency: w.profile.taxLabel,
      percentage: percent(d.bp),
      percentages: [{ percentage: percent(d.bp), from_date: "2011-01-04" }],
      is_visible: true,
      retailer: false,
      editable: d.userCreated,
      deletable: d.userCreated,
      is_combined_rate: false,
      component_tax_rates: [],
    };
  },
});

const bankAccounts = renderer<BankAccountData>({
  label: (row, w) => `${row.d.name} (${w.table<LedgerAccountData>("ledger_accounts").at(row.d.ledger).d.nominal})`,
  render(row, w) {
    const d = row.d;
    const out: Rec = { ...head(w, "bank_accounts", row), ...stamps(row) };
    if (d.number) {
      out.bank_account_details = {
        account_name: d.name,
        account_number: d.number,
        sort_code: d.sortCode,
        bic: d.bic,
        iban: d.iban,
      };
    }
    out.ledger_account = w.ref("ledger_accounts", d.ledger);
    out.bank_account_type = w.codeRef("bank_account_types", d.type);
    out.balance = money(d.balance);
    out.nominal_code = w.table<LedgerAccountData>("ledger_accounts").at(d.ledger).d.nominal;
    out.editable = true;
    out.deletable = d.userCreated;
    out.default_payment_method = w.codeRef("payment_methods", d.method);
    out.is_active = true;
    out.currency = w.codeRef("currencies", w.currency);
    return out;
  },
});

function itemRenderer(kind: "products" | "services" | "stock_items"): Renderer {
  return renderer<ItemData>({
    label: (row) => row.d.description,
    render(row, w) {
      const d = row.d;
      const out: Rec = { ...head(w, kind, row), ...stamps(row) };
      const id = out.id as string;
      out.deletable = d.uses === 0;
      out.deactivatable = true;
      out.used_on_recurring_invoice = false;
      out.item_code = d.code;
      out.description = d.description;
      out.sales_ledger_account = w.ref("ledger_accounts", d.salesLedger);
      out.sales_tax_rate = w.ref("tax_rates", d.tax);
      out.purchase_ledger_account = w.ref("ledger_accounts", d.purchaseLedger);
      if (d.supplier >= 0) out.usual_supplier = w.ref("contacts", d.supplier);
      out.purchase_tax_rate = w.ref("tax_rates", d.tax);
      out.cost_price = money(d.cost);
      const priceId = hexId(...w.idSeed, hashString(id), 1);
      const stamp = stamps(row, false);
      if (kind === "services") {
        out.sales_rates = [
          {
            id: priceId,
            displayed_as: "Hourly Rate",
            ...stamp,
            rate_name: "Hourly Rate",
            rate: money(d.price),
            rate_includes_tax: false,
          },
        ];
      } else {
        out.sales_prices = [
          {
            id: priceId,
            displayed_as: "Selling Price",
            ...stamp,
            price_name: "Selling Price",
            price: money(d.price),
            price_includes_tax: false,
          },
        ];
      }
      out.active = d.active;
      if (kind === "products") out.catalog_item_type = w.codeRef("catalog_item_types", "NON_STOCK_ITEM");
      if (kind === "stock_items") {
        out.reorder_level = money(d.reorder);
        out.reorder_quantity = money(d.reorder * 2);
        out.location = "Warehouse A";
        out.barcode = String(5_000_000_000_000 + (hashString(id) % 999_999_999));
        out.measurement_unit = "each";
        out.quantity_in_stock = money(d.stock);
        out.last_cost_price = money(d.cost);
        out.average_cost_price = money(d.cost);
        out.last_cost_price_stock_value = money(Math.round((d.cost * d.stock) / 100));
        out.average_cost_price_stock_value = money(Math.round((d.cost * d.stock) / 100));
        out.cost_price_last_updated = isoDate(Math.floor(row.updatedAt / 86_400));
      }
      return out;
    },
  });
}

export const MASTER_RENDERERS: Readonly<Record<string, Renderer>> = {
  contacts,
  addresses: renderer<AddressData>({
    label: (row) => `${row.d.line1}, ${row.d.city}`,
    render: (row, w) => renderAddress(w, row),
  }),
  contact_persons: renderer<PersonData>({ label: (row) => row.d.name, render: (row, w) => renderPerson(w, row) }),
  ledger_accounts: ledgerAccounts,
  tax_rates: taxRates,
  bank_accounts: bankAccounts,
  products: itemRenderer("products"),
  services: itemRenderer("services"),
  stock_items: itemRenderer("stock_items"),
};
