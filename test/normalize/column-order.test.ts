import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp-pipeline.js";

// Worker threads run compiled code, so this test drives the built package (npm test builds first).
const dist = join(import.meta.dirname, "..", "..", "dist");
const { Pipeline, resource, duckdb, ConfigResolver } = (await import(
  join(dist, "index.js")
)) as typeof import("../../src/index.js");
const { EnvProvider } = (await import(join(dist, "config", "index.js"))) as typeof import("../../src/config/index.js");
const dir = tempDir("sp-column-order-");

/**
 * ~12 MB of items from two "businesses" whose optional fields differ, keys last in each item;
 * `reversed` yields the pages in the opposite order, as concurrent reads of businesses may.
 */
function items(reversed: boolean) {
  const pages: Array<Array<Record<string, unknown>>> = [];
  for (let page = 0; page < 12; page++) {
    const business = page % 2 === 0 ? "b1" : "b2";
    const rows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 1000; i++) {
      const n = page * 1000 + i;
      const row: Record<string, unknown> = { name: `n${n}`, pad: "x".repeat(900) };
      if (business === "b1" && n % 7 === 0) row.only_b1 = n;
      if (business === "b2") row.address = { city: `c${n}`, ...(n % 3 === 0 ? { zip: String(n) } : {}) };
      if (n % 5 === 0) row.note = `note ${n}`;
      row.lines = [{ q: n, ...(business === "b2" ? { unit: "kg" } : {}) }];
      row.id = String(n);
      row.business_id = business;
      rows.push(row);
    }
    pages.push(rows);
  }
  if (reversed) pages.reverse();
  return function* () {
    yield* pages;
  };
}

async function columnOrder(name: string, workers: number, reversed: boolean) {
  const p = new Pipeline({
    pipelineName: name,
    datasetName: "data",
    destination: duckdb({ credentials: join(dir, `${name}.duckdb`) }),
    pipelinesDir: join(dir, "pipelines"),
    config: new ConfigResolver([new EnvProvider({ NORMALIZE__WORKERS: String(workers) })]),
  });
  await p.run(
    resource(items(reversed), {
      name: "things",
      primaryKey: ["business_id", "id"],
      writeDisposition: "merge",
      columns: { business_id: { dataType: "text" }, id: { dataType: "text" }, amount: { dataType: "decimal" } },
    }),
  );
  const store = p.workingDir.packages;
  const manifest = store.readNormalizedManifest(store.list("loaded")[0]!, "loaded");
  const rows = await p
    .dataset()
    .sql(
      "select table_name, column_name from information_schema.columns where table_schema = 'data' order by table_name, ordinal_position",
    )
    .rows();
  const tables: Record<string, string[]> = {};
  for (const r of rows) (tables[String(r.table_name)] ??= []).push(String(r.column_name));
  return { tables, rootFiles: manifest.jobs.filter((j) => j.table === "things").length };
}

describe("deterministic column order", () => {
  it("is the same for two identical runs, one in one thread and one over workers with pages in another order", async () => {
    const one = await columnOrder("single", 1, false);
    const split = await columnOrder("workers", 2, true);
    expect(one.rootFiles).toBe(1);
    expect(split.rootFiles).toBeGreaterThan(1); // the workers did run
    expect(split.tables).toEqual(one.tables);
    // Keys first, then the fields by their earliest position in any item (ties by name; the hinted
    // column no item has last), then dlt's columns at the end, as dlt lays tables out.
    expect(one.tables.things).toEqual([
      "business_id",
      "id",
      "name",
      "pad",
      "address__city",
      "note",
      "only_b1",
      "address__zip",
      "amount",
      "_dlt_load_id",
      "_dlt_id",
    ]);
    expect(one.tables.things__lines).toEqual(["q", "unit", "_dlt_root_id", "_dlt_parent_id", "_dlt_list_idx", "_dlt_id"]);
  }, 300_000);
});
