import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onRequestEvent, type RequestEvent } from "../../src/http/index.js";
import type { Pipeline } from "../../src/pipeline/index.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { SA_RESOURCE_SPECS, SAGE_ONE_ZA_RESOURCES, sageOneZaSource } from "../../src/sageone-za/index.js";
import { addLogSink, setStderrLogging } from "../../src/util/logger.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";
import { exactSum, expectLinesMatch, expectRowsMatch, loadedLines, type Row, saOptions, startProxy } from "./helpers.js";

const dir = tempDir("sp-sa-");
let sb: Sandbox;
let companies: number[];

beforeAll(async () => {
  // Scale 0.2: 300 tax invoices per company (3 pages), most other lists one page.
  sb = await startSandbox({ port: 0, scale: 0.2, saRequestsPerMinute: 1_000_000 });
  companies = sb.store.saCompanies.map((c) => c.id);
});
afterAll(() => sb.close());

const q = (p: Pipeline, sql: string) => p.dataset().sql(sql).rows();
const rowsOf = (p: Pipeline, table: string, company: number) =>
  q(p, `SELECT * FROM ${table} WHERE company_id = ${company} ORDER BY id`);

/** Request events of the SA API during `fn`. */
async function capture<T>(fn: () => Promise<T>): Promise<{ result: T; events: RequestEvent[] }> {
  const events: RequestEvent[] = [];
  const off = onRequestEvent((e) => events.push(e));
  try {
    return { result: await fn(), events };
  } finally {
    off();
  }
}

describe("sageOneZaSource against the sandbox's SA API", () => {
  let p: Pipeline;

  it("loads every list of every company: exact rows and values, lines, decimals, company_id, $top/$skip paging", async () => {
    expect(SAGE_ONE_ZA_RESOURCES).toEqual([
      "customers",
      "suppliers",
      "items",
      "tax_types",
      "accounts",
      "bank_accounts",
      "tax_invoices",
      "customer_receipts",
      "supplier_invoices",
      "supplier_payments",
      "journal_entries",
    ]);
    sb.resetStats();
    p = duckPipeline(dir);
    const src = sageOneZaSource(saOptions(sb), emptyConfig());
    expect(src.name).toBe("sage_one_za");
    const { events } = await capture(() => p.run(src));

    for (const spec of SA_RESOURCE_SPECS) {
      for (const company of companies) {
        const records = sb.store.saRecords(company, spec.service, { includeDetail: spec.detail });
        expect(records.length, `${spec.name} ${company}`).toBeGreaterThan(0);
        expectRowsMatch(await rowsOf(p, spec.name, company), records, company, `${spec.name} ${company}`);
        if (spec.detail)
          expectLinesMatch(await loadedLines(p, spec, company), records, company, `${spec.name}__lines ${company}`);
      }
    }
    const counts = await p.dataset().rowCounts();
    expect(Object.keys(counts).sort()).toEqual(
      [...SAGE_ONE_ZA_RESOURCES, "supplier_invoices__lines", "tax_invoices__lines"].sort(),
    );
    for (const table of Object.keys(counts)) {
      const [{ n }] = (await q(p, `SELECT COUNT(*) AS n FROM ${table} WHERE company_id IS NULL`)) as [{ n: number }];
      expect(n, `${table} rows without company_id`).toBe(0);
    }

    // Money is DECIMAL and sums to the cent; business dates are DATE; Sage's local stamps stay naive.
    const types = new Map(
      (await q(p, "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'data'")).map(
        (r) => [`${String(r.table_name)}.${String(r.column_name)}`, r.data_type],
      ),
    );
    for (const [column, type] of Object.entries({
      "tax_invoices.total": "DECIMAL(38,9)",
      "tax_invoices.amount_due": "DECIMAL(38,9)",
      "tax_invoices__lines.unit_price_exclusive": "DECIMAL(38,9)",
      "tax_invoices__lines.quantity": "DECIMAL(38,9)",
      "supplier_invoices__lines.tax": "DECIMAL(38,9)",
      "journal_entries.amount": "DECIMAL(38,9)",
      "items.price_exclusive": "DECIMAL(38,9)",
      "tax_types.percentage": "DECIMAL(38,9)",
      "customers.balance": "DECIMAL(38,9)",
      "tax_invoices.date": "DATE",
      "tax_invoices.due_date": "DATE",
      "customer_receipts.date": "DATE",
      "tax_invoices.modified": "TIMESTAMP",
      "tax_invoices.company_id": "BIGINT",
      "tax_invoices.id": "BIGINT",
      "tax_invoices__lines.company_id": "BIGINT",
    }))
      expect(types.get(column), column).toBe(type);
    for (const company of companies) {
      const invoices = sb.store.saRecords(company, "TaxInvoice", { includeDetail: true });
      const [sums] = (await q(
        p,
        `SELECT CAST(SUM(total) AS VARCHAR) AS total, CAST(SUM(tax) AS VARCHAR) AS tax FROM tax_invoices WHERE company_id = ${company}`,
      )) as [Row];
      expect(String(sums.total).replace(/\.?0+$/, "")).toBe(exactSum(invoices, "Total"));
      expect(String(sums.tax).replace(/\.?0+$/, "")).toBe(exactSum(invoices, "Tax"));
      const [lineSum] = (await q(
        p,
        `SELECT CAST(SUM(total) AS VARCHAR) AS total FROM tax_invoices__lines WHERE company_id = ${company}`,
      )) as [Row];
      expect(String(lineSum.total).replace(/\.?0+$/, "")).toBe(
        exactSum(
          invoices.flatMap((i) => i.Lines as Row[]),
          "Total",
        ),
      );
    }

    // One Company/Get, then $top=100/$skip until $skip >= TotalResults: ceil(n/100) pages, never an empty one.
    const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
    const expected =
      1 +
      companies.reduce(
        (s, c) => s + SA_RESOURCE_SPECS.reduce((t, spec) => t + pages(sb.store.saRecords(c, spec.service).length), 0),
        0,
      );
    expect(sb.requestCount({ pathPrefix: "/api/2.0.0" })).toBe(expected);
    expect(sb.requestCount({ pathPrefix: "/api/2.0.0", status: 200 })).toBe(expected);
    const invoiceUrls = events
      .filter((e) => e.type === "request" && e.url.includes("/TaxInvoice/Get") && e.url.includes(`CompanyId=${companies[0]}`))
      .map((e) => new URL((e as { url: string }).url));
    expect(invoiceUrls.map((u) => u.searchParams.get("$skip")).sort()).toEqual(["0", "100", "200"]);
    for (const u of invoiceUrls) {
      expect(u.searchParams.get("$top")).toBe("100");
      expect(u.searchParams.get("includeDetail")).toBe("true");
      expect(u.searchParams.get("apikey")).toBe("***");
      expect(u.searchParams.has("$filter")).toBe(false);
    }
    const state = p.state.sources.sage_one_za!.resources!;
    expect(
      Object.keys(state.tax_invoices!.modified_since as object)
        .map(Number)
        .sort(),
    ).toEqual([...companies].sort());
    expect(state.customers!.modified_since).toBeUndefined();
  });

  it("a second run after changes asks only for documents modified since the last run and merges them", async () => {
    const [c0, c1] = companies as [number, number];
    const cursorsBefore = structuredClone(p.state.sources.sage_one_za!.resources!) as Record<
      string,
      { modified_since?: Record<string, string> }
    >;
    const invoiceChange = sb.mutateSa({ company: c0, resource: "TaxInvoice", updates: 2, creates: 1, deletes: 1 });
    const customerChange = sb.mutateSa({ company: c1, resource: "Customer", updates: 1, creates: 1 });
    const journalChange = sb.mutateSa({ company: c1, resource: "JournalEntry", creates: 2 });
    const deletedInvoice = invoiceChange.deleted[0]!;
    const [{ n: deletedLines }] = (await q(
      p,
      `SELECT COUNT(*) AS n FROM tax_invoices__lines l JOIN tax_invoices r ON l._dlt_parent_id = r._dlt_id WHERE r.id = ${deletedInvoice}`,
    )) as [{ n: number }];

    sb.resetStats();
    const { result: info, events } = await capture(() => p.run(sageOneZaSource(saOptions(sb), emptyConfig())));

    // Company/Get plus one page per list and company: every list now fits one page.
    expect(sb.requestCount({ pathPrefix: "/api/2.0.0" })).toBe(1 + companies.length * SA_RESOURCE_SPECS.length);
    const requested = events
      .filter((e): e is Extract<RequestEvent, { type: "request" }> => e.type === "request")
      .map((e) => new URL(e.url));
    for (const spec of SA_RESOURCE_SPECS) {
      for (const company of companies) {
        const urls = requested.filter(
          (u) => u.pathname.endsWith(`/${spec.service}/Get`) && u.searchParams.get("CompanyId") === String(company),
        );
        expect(urls, `${spec.name} ${company}`).toHaveLength(1);
        const cursor = cursorsBefore[spec.name]!.modified_since?.[String(company)];
        expect(urls[0]!.searchParams.get("$filter") ?? undefined, `${spec.name} ${company}`).toBe(
          spec.incremental ? `Modified ge datetime'${cursor}'` : undefined,
        );
      }
    }
    // Loaded this time: exactly the documents at or after each cursor, and the master lists in full.
    for (const spec of SA_RESOURCE_SPECS) {
      const expected = companies.reduce((s, company) => {
        const records = sb.store.saRecords(company, spec.service);
        const cursor = cursorsBefore[spec.name]!.modified_since?.[String(company)];
        return (
          s +
          (spec.incremental
            ? records.filter((r) => Date.parse(`${String(r.Modified)}Z`) >= Date.parse(`${cursor}Z`)).length
            : records.length)
        );
      }, 0);
      expect(info.rowCounts[spec.name] ?? 0, spec.name).toBe(expected);
    }
    expect(info.rowCounts.tax_invoices).toBeLessThan(10);

    // The destination matches the API, except that deletions are not detected (the SA API has no way to tell).
    for (const spec of SA_RESOURCE_SPECS) {
      for (const company of companies) {
        const records = sb.store.saRecords(company, spec.service, { includeDetail: spec.detail });
        let rows = await rowsOf(p, spec.name, company);
        if (spec.name === "tax_invoices" && company === c0) {
          expect(rows.some((r) => r.id === deletedInvoice)).toBe(true);
          rows = rows.filter((r) => r.id !== deletedInvoice);
        }
        expectRowsMatch(rows, records, company, `${spec.name} ${company} (second run)`);
        if (spec.detail) {
          const lines = (await loadedLines(p, spec, company)).filter((l) => l.parent_id !== deletedInvoice);
          expectLinesMatch(lines, records, company, `${spec.name}__lines ${company} (second run)`);
        }
      }
    }
    expect(deletedLines).toBeGreaterThan(0);
    const updated = await q(
      p,
      `SELECT id, reference FROM tax_invoices WHERE id IN (${invoiceChange.updated.join(",")}) ORDER BY id`,
    );
    expect(updated.every((r) => String(r.reference).includes("(edited"))).toBe(true);
    expect((await rowsOf(p, "customers", c1)).find((r) => r.id === customerChange.created[0])).toBeDefined();
    expect((await rowsOf(p, "journal_entries", c1)).filter((r) => journalChange.created.includes(r.id as number))).toHaveLength(
      2,
    );
    // The cursor moved forward with the changes.
    const after = p.state.sources.sage_one_za!.resources!.tax_invoices!.modified_since as Record<string, string>;
    expect(after[String(c0)]! > cursorsBefore.tax_invoices!.modified_since![String(c0)]!).toBe(true);
  });

  it("skips a list that one company answers 404 for, with one warning, and loads the rest", async () => {
    const [c0, c1] = companies as [number, number];
    const proxy = await startProxy(sb.url, (u) =>
      u.pathname.endsWith("/Item/Get") && u.searchParams.get("CompanyId") === String(c1)
        ? { status: 404, body: { Message: "No HTTP resource was found that matches the request URI." } }
        : undefined,
    );
    const warnings: string[] = [];
    const off = addLogSink((r) => r.level === "warn" && warnings.push(r.message));
    setStderrLogging(false);
    try {
      const p404 = duckPipeline(dir);
      await p404.run(
        sageOneZaSource(saOptions(sb, { baseUrl: `${proxy.url}/api/2.0.0`, resources: ["items", "tax_types"] }), emptyConfig()),
      );
      expect(await p404.dataset().rowCounts()).toEqual({
        items: sb.store.saRecords(c0, "Item").length,
        tax_types: sb.store.saRecords(c0, "TaxType").length + sb.store.saRecords(c1, "TaxType").length,
      });
      expect(await q(p404, `SELECT DISTINCT company_id FROM items`)).toEqual([{ company_id: c0 }]);
    } finally {
      off();
      setStderrLogging(true);
      await proxy.close();
    }
    expect(warnings.filter((w) => w.includes("404"))).toEqual([
      `Item/Get answered 404 for company ${c1} (not available in that company): skipped`,
    ]);
  });

  it("loads a list in full when its service refuses $filter (400)", async () => {
    const proxy = await startProxy(sb.url, (u) =>
      u.pathname.endsWith("/JournalEntry/Get") && u.searchParams.has("$filter")
        ? { status: 400, body: { Message: "The query specified in the URI is not valid." } }
        : undefined,
    );
    const warnings: string[] = [];
    const off = addLogSink((r) => r.level === "warn" && warnings.push(r.message));
    setStderrLogging(false);
    try {
      const p400 = duckPipeline(dir);
      const options = saOptions(sb, { baseUrl: `${proxy.url}/api/2.0.0`, resources: "journal_entries" });
      await p400.run(sageOneZaSource(options, emptyConfig()));
      sb.mutateSa({ company: companies[0], resource: "JournalEntry", updates: 1 });
      sb.resetStats();
      const info = await p400.run(sageOneZaSource(options, emptyConfig()));
      const all = companies.map((c) => sb.store.saRecords(c, "JournalEntry"));
      expect(info.rowCounts.journal_entries).toBe(all.flat().length);
      for (const [i, company] of companies.entries())
        expectRowsMatch(await rowsOf(p400, "journal_entries", company), all[i]!, company, "journal_entries");
      // Company/Get, then per company the refused filtered call (answered by the proxy) and the full one.
      expect(sb.requestCount({ pathPrefix: "/api/2.0.0" })).toBe(1 + companies.length);
    } finally {
      off();
      setStderrLogging(true);
      await proxy.close();
    }
    expect(warnings.filter((w) => w.includes("refused $filter"))).toHaveLength(companies.length);
  });
});
