import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_RESOURCES,
  SPEC_INFO,
  catalog,
  columnDescription,
  findEndpoint,
  getEndpoint,
  isAvailable,
  isPermitted,
  listEndpoints,
} from "../../src/sage/catalog/index.js";
import { DEFINITIONS, getDefinition } from "../../src/sandbox/spec/index.js";
import { ConfigError } from "../../src/util/errors.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SPEC = resolve(ROOT, "reference/sage-accounting-v3.1.swagger.json");
const GENERATOR = resolve(ROOT, "scripts/generate-sage-catalog.mjs");

describe("Sage v3.1 endpoint catalog", () => {
  it("covers the 85 collection GETs: 78 paged lists and 7 singletons", () => {
    expect(catalog).toHaveLength(85);
    expect(listEndpoints("list")).toHaveLength(78);
    expect(listEndpoints("singleton").map((e) => e.name)).toEqual([
      "business_settings",
      "cis_settings",
      "datev_settings",
      "email_settings",
      "financial_settings",
      "invoice_settings",
      "migrations",
    ]);
    expect(new Set(catalog.map((e) => e.name)).size).toBe(85);
    expect(SPEC_INFO).toMatchObject({ version: "3.1", basePath: "/v3.1", paths: 169, definitions: 197 });
    for (const e of listEndpoints("list")) expect(e.paging).toEqual({ itemsPerPageDefault: 20, itemsPerPageMax: 200 });
  });

  it("describes sales_invoices exactly", () => {
    const si = getEndpoint("sales_invoices");
    expect(si).toMatchObject({ path: "/sales_invoices", definition: "SalesInvoice", kind: "list", areas: ["Sales"] });
    expect(si.filters).toEqual({
      updatedOrCreatedSince: true,
      deletedSince: true,
      fromDate: true,
      toDate: true,
      updatedFromDate: false,
      updatedToDate: false,
      search: true,
      sort: ["created_at", "updated_at", "date", "due_date"],
      attributes: true,
      nestedAttributes: false,
      page: true,
      itemsPerPage: true,
    });
    expect(si.rows).toEqual({ id: true, createdAt: true, updatedAt: true, deletedAt: true, deletedFlag: false });
    const arrays = Object.fromEntries(si.nestedArrays.map((a) => [a.path, a.definition]));
    expect(arrays).toMatchObject({
      invoice_lines: "SalesInvoiceLineItem",
      "invoice_lines[*].tax_breakdown": "TaxBreakdown",
      "invoice_lines[*].analysis_type_categories": "AnalysisTypeLineItem",
      tax_analysis: "ArtefactTaxAnalysis",
      payments_allocations: "PaymentAllocation",
      corrections: "SalesCorrectiveInvoice",
    });
    expect(si.nestedArrays.find((a) => a.path === "corrections")?.reference).toBe(true);
    expect(si.moneyFields).toEqual(
      expect.arrayContaining([
        "net_amount",
        "tax_amount",
        "total_amount",
        "outstanding_amount",
        "exchange_rate",
        "invoice_lines[*].net_amount",
        "invoice_lines[*].unit_price",
        "invoice_lines[*].quantity",
        "invoice_lines[*].tax_breakdown[*].amount",
        "detailed_tax_analysis.total_net",
        "detailed_tax_analysis.tax_rates_breakdown.net_amount",
      ]),
    );
    expect(si.moneyFields.filter((f) => f.startsWith("main_address"))).toEqual([]);
    expect(si.dateFields).toEqual(expect.arrayContaining(["date", "due_date", "last_paid", "payments_allocations[*].date"]));
    expect(si.timestampFields).toEqual(
      expect.arrayContaining(["created_at", "updated_at", "deleted_at", "main_address.deleted_at"]),
    );
    const refs = Object.fromEntries(si.references.map((r) => [r.path, r.definition]));
    expect(refs).toMatchObject({ contact: "Contact", currency: "Base", status: "Base", "invoice_lines[*].product": "Product" });
    expect(si.nestedObjects.map((o) => o.path)).toEqual(expect.arrayContaining(["main_address", "detailed_tax_analysis"]));
    expect(si.availability).toEqual({
      start: ["ca", "es", "fr", "gb", "ie", "us"],
      standard: ["gb", "ie"],
      plus: ["ca", "es", "fr", "gb", "ie", "us"],
    });
  });

  it("marks ledger_entries and transactions by a deleted flag, without deleted_since", () => {
    for (const name of ["ledger_entries", "transactions"]) {
      const e = getEndpoint(name);
      expect(e.rows.deletedFlag).toBe(true);
      expect(e.rows.deletedAt).toBe(false);
      expect(e.filters.deletedSince).toBe(false);
      expect(e.filters.updatedOrCreatedSince).toBe(true);
      expect(e.areas).toEqual(["Journals"]);
    }
    expect(getEndpoint("transactions").filters).toMatchObject({ updatedFromDate: true, updatedToDate: true });
    expect(getEndpoint("ledger_entries").moneyFields).toEqual(["credit", "debit"]);
  });

  it("knows singletons, country- and tier-specific endpoints and areas", () => {
    const fs = getEndpoint("financial_settings");
    expect(fs).toMatchObject({ kind: "singleton", definition: "FinancialSettings", paging: null, areas: ["Settings"] });
    expect(fs.moneyFields).toEqual(["default_irpf_rate", "flat_rate_tax_percentage", "recoverable_percentage"]);
    expect(isAvailable(getEndpoint("stock_items"), "gb", "plus")).toBe(true);
    expect(isAvailable(getEndpoint("stock_items"), "ie", "standard")).toBe(false);
    expect(isAvailable(getEndpoint("sales_credit_notes"), "es", "plus")).toBe(false);
    expect(isAvailable(getEndpoint("cis_settings"), "GB", "start")).toBe(true);
    expect(getEndpoint("journal_codes").availability.plus).toEqual(["fr"]);
    expect(getEndpoint("contacts").areas).toEqual(["Contacts", "Sales", "Purchases"]);
    expect(getEndpoint("bank_opening_balances").areas).toEqual(["Settings", "Bank"]);
    expect(getEndpoint("countries").areas).toEqual([]);
    expect(isPermitted(getEndpoint("contacts"), ["Purchases"])).toBe(true);
    expect(isPermitted(getEndpoint("bank_accounts"), ["Sales", "Purchases"])).toBe(false);
    expect(getEndpoint("contacts").nestedObjects.map((o) => o.path)).toEqual(
      expect.arrayContaining(["main_address", "delivery_address", "main_contact_person", "bank_account_details"]),
    );
    expect(getEndpoint("contacts").moneyFields).toEqual(["balance", "credit_limit"]);
  });

  it("has every default resource and resolves names leniently", () => {
    expect(DEFAULT_RESOURCES).toHaveLength(24);
    for (const name of DEFAULT_RESOURCES) expect(findEndpoint(name)?.name).toBe(name);
    expect(getEndpoint("/sales_invoices").name).toBe("sales_invoices");
    expect(getEndpoint("SalesInvoices").name).toBe("sales_invoices");
    expect(getDefinition("SalesInvoice").properties?.net_amount).toEqual({ type: "number", format: "double" });
    for (const e of catalog) expect(DEFINITIONS[e.definition]).toBeDefined();
  });

  it("suggests close names for a typo", () => {
    expect(() => getEndpoint("sales_invoice")).toThrow(ConfigError);
    try {
      getEndpoint("sales_invoice");
    } catch (err) {
      expect((err as ConfigError).hint).toContain('"sales_invoices"');
    }
    try {
      getEndpoint("contact_paymnts");
    } catch (err) {
      expect((err as ConfigError).hint).toContain('"contact_payments"');
    }
  });

  it("matches a fresh generation from the committed spec", async () => {
    const gen = (await import(pathToFileURL(GENERATOR).href)) as {
      generateFromFile(path: string): { endpoints: string; definitions: string; fieldDocs: string };
    };
    const out = gen.generateFromFile(SPEC);
    expect(out.endpoints).toBe(readFileSync(resolve(ROOT, "src/sage/catalog/endpoints.generated.ts"), "utf8"));
    expect(out.definitions).toBe(readFileSync(resolve(ROOT, "src/sandbox/spec/definitions.generated.ts"), "utf8"));
    expect(out.fieldDocs).toBe(readFileSync(resolve(ROOT, "src/sage/catalog/field-docs.generated.ts"), "utf8"));
  });

  it("keeps the spec's field descriptions, found by table and column as normalize names them", () => {
    const naming = (s: string) => s.replace(/^\$/, "_");
    expect(columnDescription("contacts", "balance", naming)).toBe("The contact balance");
    expect(columnDescription("contacts", "main_address__city", naming)).toMatch(/ — The address town\/city$/);
    expect(columnDescription("contacts", "_path", naming)).toBe("The API path for the resource");
    // A child table of a list: the line's own fields.
    expect(columnDescription("sales_invoices__invoice_lines", "unit_price", naming)).toMatch(/unit price/i);
    // A link stub's fields are described by the field that links (the contact of an invoice).
    expect(columnDescription("sales_invoices", "contact__id", naming)).toBe(
      "The contact the sales invoice relates to — The unique identifier for the item",
    );
    expect(columnDescription("sales_invoices", "no_such_column", naming)).toBeUndefined();
    expect(columnDescription("not_a_sage_table", "id", naming)).toBeUndefined();
  });
});
