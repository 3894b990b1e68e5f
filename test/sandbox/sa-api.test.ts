import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SA_RATE_LIMIT_MESSAGE, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import type { Rec } from "./helpers.js";

let sb: Sandbox;
const KEY = "{3F2B9C4E-7D1A-4E8B-9C55-0A6D2E7F1B83}";
const BASIC = `Basic ${Buffer.from("owner@example.com:pa55word").toString("base64")}`;

interface SaList {
  TotalResults: number;
  ReturnedResults: number;
  Results: Rec[];
}

beforeAll(async () => {
  sb = await startSandbox({
    scale: 0.2,
    saApiKey: KEY,
    saUsername: "owner@example.com",
    saPassword: "pa55word",
    saRequestsPerMinute: 30,
    saBlockSeconds: 1,
  });
});
afterAll(() => sb.close());

async function sa<T = SaList>(path: string, auth = BASIC): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sb.saBaseUrl}${path}`, { headers: { authorization: auth, accept: "application/json" } });
  return { status: res.status, body: (await res.json()) as T };
}

describe("Sage One South Africa API", () => {
  it("authenticates with an apikey parameter (any case, braces or not) plus Basic credentials", async () => {
    const bare = KEY.slice(1, -1).toLowerCase();
    for (const q of [`apikey=${encodeURIComponent(KEY)}`, `ApiKey=${bare}`, `APIKey=${KEY}`]) {
      const res = await sa(`/Company/Get?${q}`);
      expect(res.status).toBe(200);
      expect(res.body.TotalResults).toBe(2);
      expect(res.body.Results[0]).toMatchObject({
        ID: sb.store.saCompanies[0]!.id,
        Name: sb.store.saCompanies[0]!.name,
        CurrencySymbol: "R",
      });
    }
    expect((await sa<Rec>(`/Company/Get?apikey=${bare.replace(/^./, "0")}`)).status).toBe(401);
    const badPassword = await sa<Rec>(
      `/Company/Get?apikey=${bare}`,
      `Basic ${Buffer.from("owner@example.com:wrong").toString("base64")}`,
    );
    expect(badPassword).toEqual({ status: 401, body: { Message: "Authorization has been denied for this request." } });
    expect((await sa<Rec>(`/Company/Get`)).status).toBe(401);
  });

  it("pages with $top/$skip, never more than 100, in the TotalResults envelope", async () => {
    const company = sb.store.saCompanies[0]!.id;
    const all = sb.store.saRecords(company, "TaxInvoice");
    expect(all.length).toBe(300);
    const first = await sa(`/TaxInvoice/Get?apikey=${KEY}&CompanyId=${company}&$top=500`);
    expect(first.body).toMatchObject({ TotalResults: 300, ReturnedResults: 100 });
    expect(first.body.Results[0]).toEqual(all[0]);
    const pages: Rec[] = [];
    for (let skip = 0; skip < 300; skip += 100) {
      const page = await sa(`/TaxInvoice/Get?apikey=${KEY}&companyid=${company}&$skip=${skip}`);
      pages.push(...page.body.Results);
    }
    expect(pages).toEqual(all);
    const invoice = pages[0]!;
    expect(typeof invoice.ID).toBe("number");
    expect(typeof invoice.Total).toBe("number");
    expect(invoice.Modified).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect(invoice).not.toHaveProperty("Lines");
    const detail = await sa(`/TaxInvoice/Get?apikey=${KEY}&CompanyId=${company}&includeDetail=true&$top=5`);
    for (const inv of detail.body.Results) {
      const lines = inv.Lines as Rec[];
      expect(lines.length).toBeGreaterThan(0);
      expect(Math.round(lines.reduce((s, l) => s + (l.Total as number), 0) * 100)).toBe(Math.round((inv.Total as number) * 100));
    }
  });

  it("filters and orders with OData, requires CompanyId and hides other companies", async () => {
    const company = sb.store.saCompanies[1]!.id;
    const customers = sb.store.saRecords(company, "Customer");
    const pivot = customers.map((c) => c.Modified as string).sort()[Math.floor(customers.length / 2)]!;
    const filtered = await sa(
      `/Customer/Get?apikey=${KEY}&CompanyId=${company}&$filter=${encodeURIComponent(`Modified ge datetime'${pivot}'`)}&$orderby=Modified desc`,
    );
    const expected = customers.filter((c) => (c.Modified as string) >= pivot);
    expect(filtered.body.TotalResults).toBe(expected.length);
    const stamps = filtered.body.Results.map((c) => c.Modified as string);
    expect(stamps).toEqual([...stamps].sort().reverse());
    expect((await sa<Rec>(`/Customer/Get?apikey=${KEY}&$filter=${encodeURIComponent("Name eq 'x'")}`)).status).toBe(400);
    expect((await sa<Rec>(`/Customer/Get?apikey=${KEY}&CompanyId=999`)).status).toBe(401);
    expect((await sa<Rec>(`/Customer/Get?apikey=${KEY}&CompanyId=${company}&$filter=substringof('a',Name)`)).status).toBe(400);
    const one = await sa<Rec>(`/Customer/Get/${String(customers[2]!.ID)}?apikey=${KEY}&CompanyId=${company}`);
    expect(one.body).toEqual(customers[2]);
  });

  it("blocks a company after too many requests a minute, with Sage's message, and lifts the block later", async () => {
    sb.resetSaLimits();
    const company = sb.store.saCompanies[1]!.id;
    const statuses: number[] = [];
    let last: Rec = {};
    for (let i = 0; i < 32; i++) {
      const res = await sa<Rec>(`/TaxType/Get?apikey=${KEY}&CompanyId=${company}`);
      statuses.push(res.status);
      last = res.body;
    }
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
    expect(last).toEqual({ Message: SA_RATE_LIMIT_MESSAGE });
    // Another company has its own budget.
    expect((await sa<Rec>(`/TaxType/Get?apikey=${KEY}&CompanyId=${sb.store.saCompanies[0]!.id}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await sa<Rec>(`/TaxType/Get?apikey=${KEY}&CompanyId=${company}`)).status).toBe(200);
    expect(sb.stats.saBlocked).toBeGreaterThanOrEqual(2);
  });

  it("changes SA data on demand: Modified moves forward, deletions just vanish", async () => {
    sb.resetSaLimits();
    const company = sb.store.saCompanies[0]!.id;
    const before = sb.store.saRecords(company, "Customer");
    const change = sb.mutateSa({ company, resource: "Customer", updates: 2, creates: 1, deletes: 1 });
    expect([change.updated.length, change.created.length, change.deleted.length]).toEqual([2, 1, 1]);
    const after = sb.store.saRecords(company, "Customer");
    expect(after.length).toBe(before.length);
    expect(after.some((c) => c.ID === change.deleted[0])).toBe(false);
    const latest = before
      .map((c) => c.Modified as string)
      .sort()
      .at(-1)!;
    const changed = await sa(
      `/Customer/Get?apikey=${KEY}&CompanyId=${company}&$filter=${encodeURIComponent(`Modified gt datetime'${latest}'`)}`,
    );
    expect(changed.body.Results.map((c) => c.ID).sort()).toEqual([...change.updated, ...change.created].sort());
  });
});
