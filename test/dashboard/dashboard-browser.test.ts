import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dashboard, startDashboard } from "../../src/dashboard/index.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { resource } from "../../src/extract/index.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";
import { loadSandbox, startBooksSandbox } from "../models/sandbox-books.js";
import { browserMissing, launchBrowser } from "./browser.js";

/**
 * `sage-pipeline show` in a real browser (Debian's Chromium through playwright-core): the books
 * sandbox loaded twice into DuckDB with the accounting models built, plus a pipeline without
 * models. Each view must show the numbers the dataset holds, with no console error; a screenshot
 * of each view goes to test-output/dashboard/.
 */
const missing = browserMissing();
const dir = tempDir("sp-dash-browser-");
const SHOTS = fileURLToPath(new URL("../../test-output/dashboard/", import.meta.url));
const PIPELINE = "books_demo";

describe.skipIf(missing !== undefined)(`dashboard in Chromium${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let sb: Sandbox;
  let dash: Dashboard;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const consoleErrors: string[] = [];
  /** What beforeAll started, stopped newest first (whatever got started before a failure). */
  const stops: Array<() => Promise<void>> = [];

  /** A direct SQL query on the dataset, through the dashboard's read-only query endpoint. */
  async function sql(pipeline: string, query: string): Promise<unknown[][]> {
    const res = await fetch(`${dash.url}/api/pipelines/${pipeline}/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql: query }),
    });
    const body = (await res.json()) as { rows: unknown[][]; error?: string };
    if (!res.ok) throw new Error(body.error);
    return body.rows;
  }
  const money = (v: unknown) => Number(v).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const count = (v: unknown) => Number(v).toLocaleString("en-US");

  async function open(hash: string, ready: string): Promise<void> {
    await page.goto(`${dash.url}/${hash}`);
    await page.locator(ready).first().waitFor();
  }
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const texts = (selector: string) => page.locator(selector).allInnerTexts();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    sb = await startBooksSandbox();
    stops.push(() => sb.close());
    const destination = duckdb({ credentials: join(dir, `${PIPELINE}.duckdb`) });
    await loadSandbox(sb, dir, destination, PIPELINE);
    // A second run: incremental, so the runs chart has more than one load.
    const p = await loadSandbox(sb, dir, destination, PIPELINE);
    const info = await p.runModels();
    expect(info.passed, String(info)).toBe(true);
    await duckPipeline(dir, { pipelineName: "shop" }).run(
      resource(
        function* () {
          yield [{ id: 1, n: 1234567 }];
        },
        { name: "orders", primaryKey: "id" },
      ),
    );
    dash = await startDashboard({ pipelinesDir: join(dir, "pipelines"), config: emptyConfig(), port: 0 });
    stops.push(() => dash.close());
    browser = await launchBrowser();
    stops.push(() => browser.close());
    page = await browser.context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(e.message));
  }, 180_000);

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it("Overview: every pipeline's last run in words, with header counts that agree with the list", async () => {
    await open(`#/${PIPELINE}/overview`, "[data-testid=count-tables]");
    const summary = (await (await fetch(`${dash.url}/api/summary`)).json()) as Array<{ name: string; rows: number }>;
    expect(summary.map((s) => s.name)).toEqual([PIPELINE, "shop"]);
    expect(await page.locator("[data-testid=count-pipelines] .value").innerText()).toBe("2");
    expect(await page.locator("[data-testid=pipelines-table] tbody tr").count()).toBe(2);
    expect(await page.locator("[data-testid=count-succeeded] .value").innerText()).toBe("2");
    const first = await page.locator("[data-testid=pipelines-table] tbody tr").first().locator("td").allInnerTexts();
    expect(first[0]).toBe(PIPELINE);
    expect(first[1]).toBe("succeeded");
    const rows = summary[0]!.rows;
    expect(first[5]).toBe(count(rows));
    expect(first[9]).toMatch(/^duckdb:\/.*books_demo\.duckdb$/);
    const [[invoices]] = (await sql(PIPELINE, "select count(*) from sales_invoices")) as [[number]];
    const listed = await texts(".tables-list div");
    expect(listed).toContain(`sales_invoices ${count(invoices)}`);
    // Reconciliation: what Sage said it holds beside the live rows, per resource and business.
    const reconciled = page.locator("[data-testid=reconciliation-table] tbody tr");
    expect(await reconciled.count()).toBeGreaterThan(0);
    for (const row of await reconciled.all()) {
      const cells = await row.locator("td").allInnerTexts();
      expect(cells[7], cells.join(" | ")).toBe("pass");
      expect(cells[2]).toBe(cells[3]);
    }
    await shot("overview");
  });

  it("Runs & loads: a chart of rows and duration per load, rows per table, steps and schema version", async () => {
    await open(`#/${PIPELINE}/runs`, "[data-testid=loads-table]");
    const runs = (await (await fetch(`${dash.url}/api/pipelines/${PIPELINE}/runs`)).json()) as {
      packages: Array<{ loadId: string; rows: number; schemaVersion: number }>;
      destinationLoads: unknown[];
    };
    expect(runs.packages.length).toBeGreaterThanOrEqual(2);
    expect(await page.locator("[data-testid=loads-table] tbody tr").count()).toBe(runs.packages.length);
    expect(await page.locator("[data-testid=count-packages] .value").innerText()).toBe(String(runs.packages.length));
    expect(await page.locator("[data-testid=destination-loads] tbody tr").count()).toBe(runs.destinationLoads.length);
    const dataset = await page
      .locator("[data-testid=runs-chart]")
      .evaluate(
        (el) => (el as unknown as { chart: { data: { datasets: Array<{ data: number[] }> } } }).chart.data.datasets[0]!.data,
      );
    expect(dataset).toEqual([...runs.packages].reverse().map((p) => p.rows));
    // Each load's rows per table are what the destination holds for that load id.
    const newest = runs.packages[0]!;
    const cells = await page.locator("[data-testid=loads-table] tbody tr").first().locator("td").allInnerTexts();
    expect(cells[0]).toBe(newest.loadId);
    expect(cells[3]).toBe(count(newest.rows));
    expect(cells[9]).toContain(`v${newest.schemaVersion}`);
    const oldest = runs.packages[runs.packages.length - 1]!;
    const [[n]] = (await sql(PIPELINE, `select count(*) from sales_invoices where _dlt_load_id = '${oldest.loadId}'`)) as [
      [number],
    ];
    const details = page.locator("details", { hasText: `Rows per table of load ${oldest.loadId}` });
    await details.locator("summary").click();
    const line = details.locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: /^sales_invoices$/ }) });
    expect(await line.locator("td").last().innerText()).toBe(count(n));
    expect(await texts("[data-testid=last-run-steps] tbody td:first-child")).toEqual(["sync", "extract", "normalize", "load"]);
    await shot("runs");
  });

  it("Data: paged and sorted by the database, keys first, numbers right-aligned, a query box with history", async () => {
    await open(`#/${PIPELINE}/data?table=sales_invoices`, "[data-testid=rows-table]");
    const [[total]] = (await sql(PIPELINE, "select count(*) from sales_invoices")) as [[number]];
    expect(await page.locator("[data-testid=page-info]").innerText()).toBe(`rows 1–50 of ${count(total)}`);
    const headers = await texts("[data-testid=rows-table] thead th");
    expect(headers.slice(0, 2)).toEqual(["business_id", "id"]);
    expect(headers.at(-1)).toMatch(/^_dlt_/);
    await page.locator("[data-testid=next]").click();
    await page.locator("[data-testid=page-info]", { hasText: "rows 51–100" }).waitFor();
    // Sort by the total, descending: the first row is the largest total in the table.
    const th = page.locator("[data-testid=rows-table] thead th[data-column=total_amount]");
    await th.click();
    await page.locator("[data-testid=page-info]", { hasText: "rows 1–50" }).waitFor();
    await page.locator("[data-testid=rows-table] thead th[data-column=total_amount]").click();
    await page.locator("[data-testid=rows-table] thead th.sorted.desc").waitFor();
    const [[largest]] = (await sql(PIPELINE, "select max(total_amount) from sales_invoices")) as [[string]];
    const col = headers.indexOf("total_amount");
    const cell = page.locator("[data-testid=rows-table] tbody tr").first().locator("td").nth(col);
    expect(await cell.innerText()).toBe(Number(largest).toLocaleString("en-US", { maximumFractionDigits: 9 }));
    expect(await cell.getAttribute("class")).toContain("num");
    // The query box remembers what ran, across a reload.
    const query = "select count(*) as n, sum(total_amount) as total from sales_invoices";
    await page.locator("[data-testid=query]").fill(query);
    await page.locator("[data-testid=run-query]").click();
    await page.locator("[data-testid=query-result] table").waitFor();
    expect(await texts("[data-testid=query-result] tbody td")).toEqual([
      count(total),
      expect.stringMatching(/^\d{1,3}(,\d{3})*(\.\d+)?$/),
    ]);
    await page.reload();
    await page.locator("[data-testid=rows-table]").waitFor();
    expect(await page.locator("[data-testid=query]").inputValue()).toBe(query);
    expect(await texts("[data-testid=history] option")).toContain(query);
    await shot("data");
  });

  it("State: the cursors per resource and business with the load that last changed them, raw JSON behind a toggle", async () => {
    await open(`#/${PIPELINE}/state`, "[data-testid=cursors]");
    const state = (await (await fetch(`${dash.url}/api/pipelines/${PIPELINE}/state`)).json()) as {
      cursors: Array<{ resource: string; business: string | null; changedInLoad: string | null }>;
    };
    expect(state.cursors.length).toBeGreaterThan(10);
    expect(state.cursors.every((c) => c.changedInLoad !== null)).toBe(true);
    expect(await page.locator("[data-testid=cursors] tbody tr").count()).toBe(state.cursors.length);
    expect(await page.locator("[data-testid=count-cursors] .value").innerText()).toBe(count(state.cursors.length));
    await page.locator("[data-testid=state-filter]").fill("sales_invoices");
    const filtered = state.cursors.filter((c) => c.resource.includes("sales_invoices")).length;
    expect(await page.locator("[data-testid=cursors] tbody tr").count()).toBe(filtered);
    expect(await page.locator("[data-testid=raw-state]").isVisible()).toBe(false);
    await page.locator("[data-testid=toggle-raw]").click();
    expect(await page.locator("[data-testid=raw-state]").innerText()).toContain('"lastRunStartedAt"');
    await shot("state");
  });

  it("Schema: searchable tables and columns with types, keys, nullability and parent/child links", async () => {
    await open(`#/${PIPELINE}/schema`, "[data-testid=schema-tables] details");
    await page.locator("[data-testid=schema-search]").fill("invoice_lines");
    const child = page.locator("details[data-table=sales_invoices__invoice_lines]");
    await child.waitFor();
    expect(await child.locator("summary").innerText()).toContain("child of sales_invoices");
    // The diagram draws the link: the child's box sits under its parent's, joined by a line.
    for (const t of ["sales_invoices__invoice_lines", "sales_invoices__invoice_lines__tax_breakdown"]) {
      expect(await page.locator(`[data-testid=schema-diagram] g.er-table[data-table=${t}]`).count(), t).toBe(1);
    }
    expect(await page.locator("[data-testid=schema-diagram] path").count()).toBeGreaterThan(0);
    await page.locator("[data-testid=schema-search]").fill("sales_invoices");
    const parent = page.locator("details[data-table=sales_invoices]");
    expect(await parent.locator("summary").innerText()).toContain("sales_invoices__invoice_lines");
    const idRow = parent.locator("tbody tr").first();
    // business_id is the source's own column, not a Sage field: no description from the spec.
    expect(await idRow.locator("td").allInnerTexts()).toEqual(["business_id", "text", "no", "primary key", ""]);
    const idCells = await parent.locator("tbody tr").nth(1).locator("td").allInnerTexts();
    expect(idCells.slice(0, 2)).toEqual(["id", "text"]);
    expect(idCells[4]).toBe("The unique identifier for the item");
    await shot("schema");
  });

  it("Books: P&L, balance sheet and aged debtors/creditors equal the model tables, and the data tests passed", async () => {
    const businesses = (await sql(PIPELINE, "select distinct business_id from sage__financial_periods order by 1")).map((r) =>
      String(r[0]),
    );
    expect(businesses).toHaveLength(3);
    for (const business of businesses) {
      await open(`#/${PIPELINE}/books?business=${business}`, "[data-testid=pl-table]");
      expect(await page.locator("[data-testid=business-picker]").inputValue()).toBe(business);
      const month = await page.locator("[data-testid=pl-table] thead th").last().getAttribute("data-month");
      const [[profit]] = (await sql(
        PIPELINE,
        `select sum(profit_amount) from sage__profit_and_loss_by_month where business_id = '${business}' and period_month = '${month}'`,
      )) as [[string]];
      const net = page.locator("[data-testid=pl-table] tbody tr", { hasText: "Net profit" }).locator("td").last();
      expect(await net.innerText()).toBe(money(profit));
      const [[assets]] = (await sql(
        PIPELINE,
        `select sum(amount) from sage__balance_sheet_by_month where business_id = '${business}' and section = 'ASSET' and period_month = (select max(period_month) from sage__balance_sheet_by_month where business_id = '${business}')`,
      )) as [[string]];
      const totalAssets = page.locator("[data-testid=bs-table] tbody tr", { hasText: "Total assets" }).locator("td").last();
      expect(await totalAssets.innerText()).toBe(money(assets));
      for (const [table, id] of [
        ["sage__ar_aging", "ar-aging"],
        ["sage__ap_aging", "ap-aging"],
      ] as const) {
        const [[total, over90]] = (await sql(
          PIPELINE,
          `select coalesce(sum(base_currency_outstanding_amount), 0), coalesce(sum(bucket_over_90), 0) from ${table} where business_id = '${business}'`,
        )) as [[string, string]];
        const all = await page
          .locator(`[data-testid=${id}-table] tbody tr`, { hasText: "All contacts" })
          .locator("td")
          .allInnerTexts();
        expect(all.at(-1)).toBe(money(total));
        expect(all.at(-2)).toBe(money(over90));
      }
      expect(await page.locator("[data-testid=tests-summary]").innerText()).toContain("5 passed, 0 failed");
      expect(await page.locator("[data-testid=pl-chart] canvas").count()).toBe(1);
    }
    await shot("books");
  });

  it("Books without models: says to run `sage-pipeline models run`", async () => {
    await open("#/shop/books", "[data-testid=books-missing]");
    expect(await page.locator("[data-testid=books-missing]").innerText()).toContain("sage-pipeline models run shop");
  });

  it("logged no console error in any view", () => {
    expect(consoleErrors).toEqual([]);
  });
});
