import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dashboard, startDashboard } from "../../src/dashboard/index.js";
import { resource } from "../../src/extract/index.js";
import type { SchemaDiff } from "../../src/schema/index.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

/**
 * The schema explorer's versions and diff: a pipeline whose second run brings a new column and a
 * list (a child table), so `_dlt_version` holds two versions of its schema.
 */
const dir = tempDir("sp-dash-schema-");

interface VersionRow {
  schemaName: string;
  version: number;
  versionHash: string;
  insertedAt: string | null;
  loadIds: string[];
  inDestination: boolean;
  current: boolean;
}

describe("schema versions and their diff", () => {
  let dash: Dashboard;
  let loads: string[] = [];
  beforeAll(async () => {
    const p = duckPipeline(dir, { pipelineName: "shop" });
    const orders = (rows: unknown[]) => resource(() => [rows], { name: "orders", primaryKey: "id", writeDisposition: "merge" });
    await p.run(orders([{ id: 1, n: 10 }]));
    await p.run(orders([{ id: 2, n: 20, note: "second", lines: [{ sku: "A", qty: 2 }] }]));
    loads = p.workingDir.packages.list("loaded");
    dash = await startDashboard({ pipelinesDir: join(dir, "pipelines"), config: emptyConfig(), port: 0 });
  }, 60_000);
  afterAll(async () => dash.close());

  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${dash.url}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  };

  it("lists every stored version with when the destination stored it and the loads that carried it", async () => {
    const { status, body } = await get<{ versions: VersionRow[]; versionsError: string | null }>("/api/pipelines/shop/schema");
    expect(status).toBe(200);
    expect(body.versionsError).toBeNull();
    // The schema is named for the pipeline (the resources' source has no name of its own).
    const shop = body.versions.filter((v) => v.schemaName === "shop");
    expect(shop).toHaveLength(2);
    expect(shop.map((v) => v.version)).toEqual([...shop.map((v) => v.version)].sort((a, b) => a - b));
    expect(shop.every((v) => v.inDestination && v.insertedAt !== null)).toBe(true);
    expect(shop.map((v) => v.loadIds)).toEqual([[loads[0]], [loads[1]]]);
    expect(shop.map((v) => v.current)).toEqual([false, true]);
  });

  it("diffs two versions: the new column and the child table", async () => {
    const { body } = await get<{ versions: VersionRow[] }>("/api/pipelines/shop/schema");
    const [v1, v2] = body.versions.filter((v) => v.schemaName === "shop");
    const q = new URLSearchParams({ schema: v1!.schemaName, from: v1!.versionHash, to: v2!.versionHash });
    const { status, body: d } = await get<SchemaDiff>(`/api/pipelines/shop/schema-diff?${q.toString()}`);
    expect(status).toBe(200);
    expect(d.from.version).toBe(v1!.version);
    expect(d.to.version).toBe(v2!.version);
    expect(d.tablesAdded.map((t) => [t.table, t.parent])).toEqual([["orders__lines", "orders"]]);
    expect(d.columnsAdded).toEqual([{ table: "orders", column: "note", type: "text" }]);
    expect([d.tablesRemoved, d.columnsRemoved, d.typeChanged].flat()).toEqual([]);
  });

  it("says what is wrong with a version that is not stored, or a missing parameter (400)", async () => {
    const bad = await get<{ error: string }>("/api/pipelines/shop/schema-diff?schema=shop&from=nope&to=nope");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('schema shop has no stored version "nope"');
    const missing = await get<{ error: string }>("/api/pipelines/shop/schema-diff?schema=shop");
    expect(missing.status).toBe(400);
    expect(missing.body.error).toContain("name the from version");
  });
});
