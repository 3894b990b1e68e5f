import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/index.js";
import { type Dashboard, startDashboard } from "../../src/dashboard/index.js";
import { incremental, resource } from "../../src/extract/index.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir("sp-dash-");

describe("sage-pipeline show (dashboard)", () => {
  let dash: Dashboard;
  const canary = new Secret("dash-canary-4b1e9f0a");

  beforeAll(async () => {
    const p = duckPipeline(dir, { pipelineName: "shop" });
    await p.run(
      resource(
        function* () {
          yield [
            { id: 1, n: 10, lines: [{ sku: "A" }, { sku: "B" }] },
            { id: 2, n: 20, lines: [] },
          ];
        },
        {
          name: "orders",
          primaryKey: "id",
          writeDisposition: "merge",
          incremental: incremental({ cursorPath: "n", initialValue: 0 }),
        },
      ),
    );
    // The dashboard resolves the destination like the CLI: here the DuckDB file path by env.
    const config = emptyConfig({ DESTINATION__DUCKDB__CREDENTIALS: join(dir, "shop.duckdb"), UNRELATED_SECRET: canary.reveal() });
    dash = await startDashboard({ pipelinesDir: join(dir, "pipelines"), config, port: 0 });
  });
  afterAll(async () => dash.close());

  /** The API's answers, as far as these tests read them. */
  interface Body {
    location: string;
    packages: unknown;
    state: { sources: Record<string, { resources: Record<string, { incremental: Record<string, { lastValue: unknown }> }> }> };
    schemas: Array<{ tables: Array<{ name: string }> }>;
    trace: { steps: Array<{ step: string }> };
    rowCounts: Record<string, number>;
    loads: Array<{ status: number }>;
  }
  const get = async (path: string) => {
    const res = await fetch(`${dash.url}${path}`);
    return { status: res.status, body: (await res.json()) as Body };
  };

  it("serves the page and lists the pipelines", async () => {
    const page = await fetch(dash.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>sage-pipeline dashboard</title>");
    const list = await get("/api/pipelines");
    expect(list.body).toEqual([{ name: "shop", dataset: "data", destination: "duckdb", stateVersion: 1 }]);
  });

  it("shows the working dir, the state with its cursor, the schema and the last trace", async () => {
    const { body } = await get("/api/pipelines/shop");
    expect(body.location).toMatch(/^duckdb:\/.*shop\.duckdb$/);
    expect(body.packages).toMatchObject({ loaded: 1, normalized: [], extracted: [] });
    expect(body.state.sources.shop!.resources.orders!.incremental.n!.lastValue).toBe(20);
    expect(body.schemas[0]!.tables.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(["orders", "orders__lines"]),
    );
    expect(body.trace.steps.map((s: { step: string }) => s.step)).toEqual(["sync", "extract", "normalize", "load"]);
  });

  it("counts rows per table, lists the loads, and runs read-only queries", async () => {
    const { body } = await get("/api/pipelines/shop/data");
    expect(body.rowCounts).toEqual({ orders: 2, orders__lines: 2 });
    expect(body.loads).toHaveLength(1);
    expect(body.loads[0]!.status).toBe(0);
    const q = await fetch(`${dash.url}/api/pipelines/shop/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql: "select id, n from orders order by id" }),
    });
    expect(await q.json()).toEqual({
      columns: ["id", "n"],
      rows: [
        [1, 10],
        [2, 20],
      ],
      truncated: false,
    });
    for (const sql of ["drop table orders", "select 1; drop table orders", "delete from orders"]) {
      const bad = await fetch(`${dash.url}/api/pipelines/shop/query`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ sql }),
      });
      expect(bad.status).toBe(400);
    }
    expect((await get("/api/pipelines/shop/data")).body.rowCounts.orders).toBe(2);
  });

  it("answers unknown pipelines with 400 and never shows a secret", async () => {
    expect((await get("/api/pipelines/nope")).status).toBe(400);
    expect((await get("/api/pipelines/..%2F..%2Fetc")).status).toBe(400);
    const all = JSON.stringify([
      (await get("/api/pipelines")).body,
      (await get("/api/pipelines/shop")).body,
      (await get("/api/pipelines/shop/data")).body,
    ]);
    expect(all).not.toContain(canary.reveal());
  });
});
