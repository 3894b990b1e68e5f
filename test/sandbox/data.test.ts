import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { cents, type Rec } from "./helpers.js";

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ scale: 0.1, seed: 42 });
});
afterAll(() => sb.close());

const HEX = /^[0-9a-f]{32}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ref = (r: unknown) => (r as Rec).id as string;

describe("sandbox data", () => {
  it("is deterministic per seed and differs across seeds", async () => {
    const snapshot = async (seed: number) => {
      const s = await startSandbox({ scale: 0.03, seed });
      const out = {
        businesses: s.store.businesses,
        data: ["contacts", "sales_invoices", "ledger_entries", "tax_profiles"].map((r) => s.store.records(1, r)),
        settings: s.store.singleton(0, "financial_settings"),
        sa: s.store.saRecords(s.store.saCompanies[0]!.id, "TaxInvoice", { includeDetail: true }),
      };
      await s.close();
      return out;
    };
    const [a, b, c] = [await snapshot(8), await snapshot(8), await snapshot(9)];
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.businesses[0]!.id).not.toBe(c.businesses[0]!.id);
    expect(a.data[1]![0]!.id).not.toBe(c.data[1]![0]!.id);
  });

  it("uses Sage's formats: hex ids, UTC seconds, dates, money strings, link stubs", () => {
    const invoices = sb.store.records(0, "sales_invoices");
    expect(invoices).toHaveLength(500);
    for (const inv of invoices.slice(0, 50)) {
      expect(inv.id).toMatch(HEX);
      expect(inv.$path).toBe(`/sales_invoices/${String(inv.id)}`);
      expect(inv.created_at).toMatch(TIME);
      expect(inv.updated_at! >= inv.created_at!).toBe(true);
      expect(inv.updated_at! < sb.now()).toBe(true);
      expect(inv.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(inv.total_amount).toMatch(/^\d+\.\d{2}$/);
      expect(Object.keys(inv.contact as Rec)).toEqual(["id", "displayed_as", "$path"]);
      expect((inv.links as Rec[])[0]).toMatchObject({ rel: "alternate", type: "text/html" });
    }
    expect(invoices.some((i) => (i.currency as Rec).id !== "GBP" && i.exchange_rate !== "1.00")).toBe(true);
  });

  it("keeps documents internally consistent and their references resolvable", () => {
    const ids = (name: string) => new Set(sb.store.records(0, name).map((r) => r.id));
    const contacts = ids("contacts");
    const products = ids("products");
    const services = ids("services");
    const ledgers = ids("ledger_accounts");
    const taxes = ids("tax_rates");
    const transactions = ids("transactions");
    for (const inv of sb.store.records(0, "sales_invoices")) {
      expect(contacts.has(ref(inv.contact))).toBe(true);
      expect(transactions.has(ref(inv.transaction))).toBe(true);
      const lines = inv.invoice_lines as Rec[];
      let net = 0;
      let tax = 0;
      for (const l of lines) {
        if (l.product) expect(products.has(ref(l.product))).toBe(true);
        if (l.service) expect(services.has(ref(l.service))).toBe(true);
        expect(ledgers.has(ref(l.ledger_account))).toBe(true);
        expect(taxes.has(ref(l.tax_rate))).toBe(true);
        expect(cents(l.net_amount) + cents(l.tax_amount)).toBe(cents(l.total_amount));
        net += cents(l.net_amount);
        tax += cents(l.tax_amount);
      }
      expect([net, tax, net + tax]).toEqual([cents(inv.net_amount), cents(inv.tax_amount), cents(inv.total_amount)]);
      expect(cents(inv.total_paid) + cents(inv.outstanding_amount)).toBe(cents(inv.total_amount));
      const taxAnalysis = (inv.tax_analysis as Rec[]).reduce((s, t) => s + cents(t.tax_amount), 0);
      expect(taxAnalysis).toBe(tax);
    }
  });

  it("posts balanced double entries for every transaction", () => {
    const byTx = new Map<string, number>();
    for (const e of sb.store.records(0, "ledger_entries")) {
      const tx = ref(e.transaction);
      byTx.set(tx, (byTx.get(tx) ?? 0) + cents(e.debit) - cents(e.credit));
    }
    expect(byTx.size).toBeGreaterThan(1000);
    expect([...byTx.values()].filter((v) => v !== 0)).toEqual([]);
    const txs = sb.store.records(0, "transactions");
    const types = new Set(txs.map((t) => (t.transaction_type as Rec).id));
    for (const t of [
      "SALES_INVOICE",
      "PURCHASE_INVOICE",
      "CUSTOMER_RECEIPT",
      "VENDOR_PAYMENT",
      "JOURNAL",
      "BANK_TRANSFER",
      "OTHER_PAYMENT",
    ]) {
      expect(types.has(t)).toBe(true);
    }
    const payments = sb.store.records(0, "contact_payments");
    const invoices = new Map(sb.store.records(0, "sales_invoices").map((i) => [i.id, i]));
    for (const p of payments.filter((x) => (x.transaction_type as Rec).id === "CUSTOMER_RECEIPT").slice(0, 100)) {
      const [a] = p.allocated_artefacts as Rec[];
      const target = (a!.artefact as Rec).$path as string;
      if (target.startsWith("/sales_invoices/")) expect(invoices.get(ref(a!.artefact))!.contact).toEqual(p.contact);
    }
  });

  // How fast it starts and warms up is measured by the benchmarks, not asserted here.
  it("sizes scale 1 at about 5,000 sales invoices per business, generated lazily", async () => {
    const big = await startSandbox({ scale: 1 });
    big.warmUp();
    expect(big.store.count(0, "sales_invoices")).toBe(5000);
    expect(big.store.count(1, "sales_invoices")).toBe(5000);
    expect(big.store.count(0, "ledger_entries")).toBeGreaterThan(30_000);
    await big.close();
  });
});
