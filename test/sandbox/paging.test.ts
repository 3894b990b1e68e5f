import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { api, fetchAll, type Envelope, type Rec } from "./helpers.js";

let sb: Sandbox;
let token: string;

beforeAll(async () => {
  sb = await startSandbox({ scale: 0.05, seed: 7 });
  token = sb.issueTokens().access_token;
});
afterAll(() => sb.close());

describe("sandbox list envelope and paging", () => {
  it("lists businesses on one page with $items_per_page (not $itemsPerPage)", async () => {
    const res = await api<Rec>(sb, "/businesses", { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      $total: 2,
      $page: 1,
      $next: null,
      $back: null,
      $items_per_page: 2147483647,
      $items: sb.store.businesses.map((b) => ({ id: b.id, displayed_as: b.name, $path: `/businesses/${b.id}` })),
    });
    expect(res.headers.get("x-business")).toBeNull();
    const lead = await api<Rec>(sb, "/businesses/lead", { token });
    expect(lead.body).toMatchObject({
      id: sb.store.businesses[0]!.id,
      country: { id: "GB" },
      subscriptions: [{ id: "ACCOUNTING", active: true }],
    });
    const user = await api<Rec>(sb, "/user", { token });
    expect(user.body).toMatchObject({ $path: "/user", first_name: "Sam", initials: "SS" });
  });

  it("pages with the envelope, $next relative to /v3.1 keeping every parameter", async () => {
    const total = sb.store.count(0, "sales_invoices");
    expect(total).toBe(250);
    const first = await api<Envelope>(sb, "/sales_invoices?items_per_page=100&attributes=date&sort=date:asc", { token });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body)).toEqual(["$total", "$page", "$next", "$back", "$itemsPerPage", "$items"]);
    expect(first.body).toMatchObject({ $total: 250, $page: 1, $back: null, $itemsPerPage: 100 });
    expect(first.body.$next).toBe("/sales_invoices?page=2&items_per_page=100&attributes=date&sort=date:asc");
    expect(first.body.$items).toHaveLength(100);
    expect(Object.keys(first.body.$items[0]!)).toEqual(["id", "displayed_as", "$path", "date"]);
    const second = await api<Envelope>(sb, first.body.$next!, { token });
    expect(second.body.$back).toBe("/sales_invoices?page=1&items_per_page=100&attributes=date&sort=date:asc");
    const dates = [...first.body.$items, ...second.body.$items].map((i) => i.date as string);
    expect(dates).toEqual([...dates].sort());
  });

  it("answers a page past the end with the last page again", async () => {
    const last = await api<Envelope>(sb, "/sales_invoices?items_per_page=100&page=3", { token });
    const past = await api<Envelope>(sb, "/sales_invoices?items_per_page=100&page=9", { token });
    expect(last.body.$items).toHaveLength(50);
    expect(past.body).toEqual(last.body);
    expect(past.body).toMatchObject({ $page: 3, $next: null, $back: "/sales_invoices?page=2&items_per_page=100" });
  });

  it("defaults to 20 per page and clamps items_per_page to 200", async () => {
    const dflt = await api<Envelope>(sb, "/ledger_entries", { token });
    expect(dflt.body.$itemsPerPage).toBe(20);
    expect(dflt.body.$items).toHaveLength(20);
    const big = await api<Envelope>(sb, "/ledger_entries?items_per_page=1000", { token });
    expect(big.body.$itemsPerPage).toBe(200);
    expect(big.body.$items).toHaveLength(200);
    expect(big.body.$next).toBe("/ledger_entries?page=2&items_per_page=200");
  });

  it("following $next yields every row exactly once, as the store holds them", async () => {
    const { items, pages } = await fetchAll(sb, "/contacts?items_per_page=7&attributes=all", token);
    const stored = sb.store.records(0, "contacts");
    expect(pages).toHaveLength(Math.ceil(stored.length / 7));
    expect(new Set(items.map((i) => i.id)).size).toBe(stored.length);
    expect(items).toEqual(stored);
  });

  it("exposes base attributes, a chosen list, or everything", async () => {
    const base = await api<Envelope>(sb, "/products?items_per_page=1", { token });
    expect(Object.keys(base.body.$items[0]!)).toEqual(["id", "displayed_as", "$path"]);
    const some = await api<Envelope>(sb, "/products?items_per_page=1&attributes=item_code,cost_price,nonsense", { token });
    expect(Object.keys(some.body.$items[0]!)).toEqual(["id", "displayed_as", "$path", "item_code", "cost_price"]);
    expect(some.body.$items[0]!.cost_price).toMatch(/^\d+\.\d{2}$/);
    const all = await api<Envelope>(sb, "/products?items_per_page=1&attributes=all", { token });
    expect(all.body.$items[0]).toEqual(sb.store.records(0, "products")[0]);
    expect(Object.keys(all.body.$items[0]!).length).toBeGreaterThan(15);
  });

  it("serves singletons without an envelope and single records by id", async () => {
    const fs = await api<Rec>(sb, "/financial_settings", { token });
    expect(fs.status).toBe(200);
    expect(fs.body).not.toHaveProperty("$items");
    expect(fs.body).toMatchObject({ $path: "/financial_settings", base_currency: { id: "GBP" }, accounting_type: "accrual" });
    const invoice = sb.store.records(0, "sales_invoices")[3]!;
    const one = await api<Rec>(sb, `/sales_invoices/${String(invoice.id)}`, { token });
    expect(one.body).toEqual(invoice);
    const missing = await api<Rec[]>(sb, "/sales_invoices/0123456789abcdef0123456789abcdef", { token });
    expect(missing.status).toBe(404);
    expect(missing.body[0]).toMatchObject({ $severity: "error", $dataCode: "RecordNotFound", $source: "" });
  });

  it("shows payments and allocations only when asked", async () => {
    const plain = await api<Envelope>(sb, "/sales_invoices?items_per_page=200&attributes=all", { token });
    expect(plain.body.$items.every((i) => !("payments_allocations" in i))).toBe(true);
    const shown = await api<Envelope>(sb, "/sales_invoices?items_per_page=200&attributes=all&show_payments_allocations=true", {
      token,
    });
    const paid = shown.body.$items.filter((i) => (i.status as Rec).id === "PAID");
    expect(paid.length).toBeGreaterThan(20);
    for (const inv of paid) {
      const allocations = inv.payments_allocations as Rec[];
      expect(allocations.length).toBeGreaterThan(0);
      const sum = allocations.reduce((s, a) => s + Number(a.amount), 0);
      expect(sum.toFixed(2)).toBe(inv.total_amount);
    }
  });
});
