import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dashboard, startDashboard } from "../../src/dashboard/index.js";
import { postgres } from "../../src/destinations/postgres/index.js";
import { incremental, resource } from "../../src/extract/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { WorkingDir } from "../../src/pipeline/working-dir.js";
import { PG_URL, dropSchema, probePostgres } from "../destinations/pg-server.js";
import { loadSandbox, startBooksSandbox } from "../models/sandbox-books.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

/**
 * The views' API without a browser (the browser tests cover the page): paging and sorting by the
 * database with names checked against the table, runs and failed jobs, the cursors' history,
 * the Books' message before the models ran, and which files the server serves.
 */
const dir = tempDir("sp-dash-views-");

const orders = (from: number, to: number) =>
  resource(
    function* () {
      const rows = [];
      for (let id = from; id <= to; id++) rows.push({ id, n: id * 1000, note: `order ${id}`, lines: [{ sku: `A${id}` }] });
      yield rows;
    },
    {
      name: "orders",
      primaryKey: "id",
      writeDisposition: "merge",
      incremental: incremental({ cursorPath: "n", initialValue: 0 }),
    },
  );

describe("dashboard views API", () => {
  let dash: Dashboard;
  let loads: string[] = [];

  beforeAll(async () => {
    const p = duckPipeline(dir, { pipelineName: "shop" });
    await p.run(orders(1, 120));
    await p.run(orders(121, 130));
    loads = p.workingDir.packages.list("loaded");
    // A copy of the working dir with a package the destination refused and one moved aside,
    // recorded through the package store as a failing load records them.
    cpSync(join(dir, "pipelines", "shop"), join(dir, "pipelines", "broken"), { recursive: true });
    const broken = new WorkingDir(join(dir, "pipelines", "broken"));
    const root = join(dir, "pipelines", "broken", "packages");
    mkdirSync(join(root, "normalized"), { recursive: true });
    cpSync(join(root, "loaded", loads[0]!), join(root, "normalized", "1900000000.000001"), { recursive: true });
    cpSync(join(root, "loaded", loads[0]!), join(root, "normalized", "1900000000.000002"), { recursive: true });
    const [job] = broken.packages.jobFiles("1900000000.000001", "completed_jobs");
    broken.packages.moveJob("1900000000.000001", job!, "completed_jobs", "failed_jobs");
    broken.packages.recordJobFailure("1900000000.000001", job!, "Conversion Error: Could not convert string 'x' to INT64");
    broken.packages.recordFailedAttempt("1900000000.000002", "normalized", "Constraint Error: duplicate key", 1);
    dash = await startDashboard({ pipelinesDir: join(dir, "pipelines"), config: emptyConfig(), port: 0 });
  }, 120_000);
  afterAll(async () => dash.close());

  const get = async <T = Record<string, unknown>>(path: string) => {
    const res = await fetch(`${dash.url}${path}`);
    return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as T };
  };
  interface Page {
    columns: Array<{ name: string; numeric: boolean; key: boolean }>;
    rows: unknown[][];
    total: number;
    sort: string;
    error?: string;
  }
  const col = (p: Page, name: string) => p.rows.map((r) => r[p.columns.findIndex((c) => c.name === name)]);

  it("summarizes every pipeline's last run in words", async () => {
    const { body } = await get<Array<Record<string, unknown>>>("/api/summary");
    expect(body.map((s) => [s.name, s.status, s.rows, s.errors, s.loadsKept, s.pendingPackages])).toEqual([
      ["broken", "succeeded", 20, 2, 2, 1],
      ["shop", "succeeded", 20, 0, 2, 0],
    ]);
    expect(body[1]!.destination).toMatch(/^duckdb:\/.*shop\.duckdb$/);
  });

  it("pages and sorts a table in the database, keys first, numbers flagged", async () => {
    const first = (await get<Page>("/api/pipelines/shop/rows?table=orders&limit=50")).body;
    expect(first.total).toBe(130);
    expect(first.columns[0]).toMatchObject({ name: "id", key: true, numeric: true });
    expect(first.columns.at(-1)!.name).toMatch(/^_dlt_/);
    expect(first.sort).toBe("id");
    expect(col(first, "id")).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const last = (await get<Page>("/api/pipelines/shop/rows?table=orders&limit=50&offset=100")).body;
    expect(col(last, "id")).toEqual(Array.from({ length: 30 }, (_, i) => i + 101));
    const desc = (await get<Page>("/api/pipelines/shop/rows?table=orders&limit=3&sort=n&desc=1")).body;
    expect(col(desc, "n")).toEqual([130000, 129000, 128000]);
    const child = (await get<Page>("/api/pipelines/shop/rows?table=orders__lines&limit=1")).body;
    expect(child.columns.slice(0, 2).map((c) => c.name)).toEqual(["_dlt_parent_id", "_dlt_list_idx"]);
  });

  it("refuses a sort column or table the dataset lacks, with the place and the fix", async () => {
    for (const [path, message] of [
      ["/api/pipelines/shop/rows?table=orders&sort=nope", /no column "nope".*sort by one of: id, /s],
      ["/api/pipelines/shop/rows?table=orders&sort=id%22%3B%20drop%20table%20orders%3B--", /no column/],
      ["/api/pipelines/shop/rows?table=orders%22%3B%20drop%20table%20orders%3B--", /has no table/],
      ["/api/pipelines/shop/rows?table=information_schema.tables", /has no table/],
      ["/api/pipelines/shop/rows?table=orders&offset=-1", /offset must be a whole number/],
      ["/api/pipelines/shop/rows", /name the table/],
    ] as const) {
      const r = await get<{ error: string }>(path);
      expect(r.status, path).toBe(400);
      expect(r.body.error, path).toMatch(message);
    }
    expect((await get<Page>("/api/pipelines/shop/rows?table=orders")).body.total).toBe(130);
  });

  it("lists the runs: rows per table and schema version per load, the destination's loads, failed jobs with its message", async () => {
    const shop = (
      await get<{ packages: Array<Record<string, unknown>>; destinationLoads: Array<Record<string, unknown>> }>(
        "/api/pipelines/shop/runs",
      )
    ).body;
    expect(shop.packages.map((p) => [p.loadId, p.rows, p.rowsPerTable, p.schemaVersion])).toEqual([
      [loads[1], 20, { orders: 10, orders__lines: 10 }, 1],
      [loads[0], 240, { orders: 120, orders__lines: 120 }, 1],
    ]);
    expect(shop.destinationLoads.map((l) => [l.loadId, l.status])).toEqual([
      [loads[1], "loaded"],
      [loads[0], "loaded"],
    ]);
    const broken = (await get<{ failedJobs: Array<Record<string, unknown>> }>("/api/pipelines/broken/runs")).body;
    expect(broken.failedJobs).toEqual([
      expect.objectContaining({
        loadId: "1900000000.000001",
        message: "Conversion Error: Could not convert string 'x' to INT64",
      }),
      expect.objectContaining({
        loadId: "1900000000.000002",
        job: "load of the package (1 attempts)",
        message: "Constraint Error: duplicate key",
      }),
    ]);
  });

  it("shows each cursor with the load that last changed it", async () => {
    const { body } = await get<{ cursors: Array<Record<string, unknown>>; raw: unknown }>("/api/pipelines/shop/state");
    expect(body.cursors).toContainEqual(
      expect.objectContaining({ resource: "orders", business: null, key: "n", value: 130000, changedInLoad: loads[1] }),
    );
    expect(JSON.stringify(body.raw)).toContain("130000");
  });

  it("says how to build the Books when the models have not run", async () => {
    const { status, body } = await get("/api/pipelines/shop/books");
    expect(status).toBe(200);
    expect(body).toMatchObject({ modelsRun: false, message: expect.stringContaining("run `sage-pipeline models run shop`") });
  });

  it("serves the page's own files and Chart.js, and nothing else from disk", async () => {
    for (const [path, type] of [
      ["/", "text/html"],
      ["/assets/app.js", "text/javascript"],
      ["/assets/views/books.js", "text/javascript"],
      ["/assets/style.css", "text/css"],
      ["/vendor/chart.umd.min.js", "text/javascript"],
    ]) {
      const res = await fetch(`${dash.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toContain(type);
    }
    expect(await (await fetch(`${dash.url}/vendor/chart.umd.min.js`)).text()).toContain("Chart.js v4");
    for (const path of [
      "/assets/../package.json",
      "/assets/%2e%2e/%2e%2e/package.json",
      "/index.html",
      "/web/dashboard/app.js",
      "/node_modules/chart.js/package.json",
    ]) {
      expect((await fetch(`${dash.url}${path}`)).status, path).toBe(404);
    }
  });
});

const noServer = await probePostgres();

describe.skipIf(noServer !== undefined)(
  `dashboard views API (Postgres server)${noServer ? ` (skipped: ${noServer})` : ""}`,
  () => {
    let dash: Dashboard;
    const dataset = `dash_views_${Math.random().toString(36).slice(2, 8)}`;
    const booksDataset = `${dataset}_books`;

    beforeAll(async () => {
      const config = emptyConfig({ DESTINATION__POSTGRES__CREDENTIALS: PG_URL });
      const pipelinesDir = join(dir, "pg-pipelines");
      const p = new Pipeline({
        pipelineName: "pgshop",
        datasetName: dataset,
        destination: postgres({ credentials: PG_URL }),
        pipelinesDir,
        config,
      });
      await p.run(orders(1, 75));
      // The books sandbox with the models built: the Books view's SQL on the Postgres dialect.
      const sb = await startBooksSandbox();
      try {
        // Loaded apart, then its working dir moved beside pgshop's (the DuckDB suite lists dir/pipelines).
        const books = await loadSandbox(sb, join(dir, "pg-books"), postgres({ credentials: PG_URL }), "pgbooks", booksDataset);
        await books.runModels();
      } finally {
        await sb.close();
      }
      cpSync(join(dir, "pg-books", "pipelines", "pgbooks"), join(pipelinesDir, "pgbooks"), { recursive: true });
      dash = await startDashboard({ pipelinesDir, config, port: 0 });
    }, 120_000);
    afterAll(async () => {
      await dash.close();
      await dropSchema(dataset);
      await dropSchema(booksDataset);
    });

    it("shows the Books from the model tables, as a direct query on them gives", async () => {
      const b = (await (await fetch(`${dash.url}/api/pipelines/pgbooks/books`)).json()) as {
        modelsRun: boolean;
        business: string;
        businesses: unknown[];
        tests: Array<{ status: string }>;
        profitAndLoss: Array<{ profit: string }>;
        debtors: { totals: { total: string } };
      };
      expect(b.modelsRun).toBe(true);
      expect(b.businesses).toHaveLength(3);
      expect(b.tests.map((t) => t.status)).toEqual(["pass", "pass", "pass", "pass", "pass"]);
      const q = await fetch(`${dash.url}/api/pipelines/pgbooks/query`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          sql: `select (select sum(base_currency_outstanding_amount) from sage__ar_aging where business_id = '${b.business}') as ar, (select sum(profit_amount) from sage__profit_and_loss_by_month where business_id = '${b.business}') as profit`,
        }),
      });
      const [[ar, profit]] = ((await q.json()) as { rows: [[string, string]] }).rows;
      expect(b.debtors.totals.total).toBe(ar);
      const cents = b.profitAndLoss.reduce((sum, r) => sum + Math.round(Number(r.profit) * 100), 0);
      expect(cents).toBe(Math.round(Number(profit) * 100));
    });

    it("pages and sorts in the server's read-only transaction, with the same columns and checks", async () => {
      const page = (await (
        await fetch(`${dash.url}/api/pipelines/pgshop/rows?table=orders&limit=20&offset=60&sort=n&desc=1`)
      ).json()) as {
        columns: Array<{ name: string; numeric: boolean; key: boolean }>;
        rows: unknown[][];
        total: number;
      };
      expect(page.total).toBe(75);
      expect(page.columns[0]).toMatchObject({ name: "id", key: true, numeric: true });
      expect(page.columns.find((c) => c.name === "note")).toMatchObject({ numeric: false });
      const n = page.columns.findIndex((c) => c.name === "n");
      expect(page.rows.map((r) => Number(r[n]))).toEqual([
        15000, 14000, 13000, 12000, 11000, 10000, 9000, 8000, 7000, 6000, 5000, 4000, 3000, 2000, 1000,
      ]);
      const bad = await fetch(
        `${dash.url}/api/pipelines/pgshop/rows?table=orders&sort=${encodeURIComponent('n" desc; drop table orders; --')}`,
      );
      expect(bad.status).toBe(400);
      const books = (await (await fetch(`${dash.url}/api/pipelines/pgshop/books`)).json()) as { modelsRun: boolean };
      expect(books.modelsRun).toBe(false);
    });
  },
);
