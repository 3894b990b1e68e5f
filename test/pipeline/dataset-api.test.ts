import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Destination } from "../../src/destinations/destination.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { filesystem } from "../../src/destinations/filesystem/index.js";
import { postgres } from "../../src/destinations/postgres/index.js";
import { PG_URL, probePostgres, withServer } from "../destinations/pg-server.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";

// dlt's relation API (camelCase) and its one value mapping, the same on every destination:
// DECIMAL → exact string, DATE → YYYY-MM-DD, TIMESTAMP → Date (UTC), BIGINT → number (bigint past
// 2^53), JSON → parsed; Arrow and polars exports with matching types.

const root = tempDir("sp-dataset-api-");
const pgSkip = await probePostgres();
const dataset = `dataset_api_${process.pid}`;
afterAll(async () => {
  if (!pgSkip) await withServer((c) => c.query(`DROP SCHEMA IF EXISTS "${dataset}" CASCADE`));
});

const invoices = [
  {
    id: "inv-1",
    total: "1234.50",
    date: "2024-03-05",
    updated_at: "2024-03-05T10:11:12.345Z",
    big: 9007199254740993n,
    small: 7,
    meta: { channel: "web", tags: ["a", "b"] },
    lines: [
      { sku: "A", amount: "1000.00" },
      { sku: "B", amount: "234.50" },
    ],
  },
  {
    id: "inv-2",
    total: "0.10",
    date: "2024-12-31",
    updated_at: "2024-12-31T23:59:59.000Z",
    big: 1n,
    small: 8,
    meta: null,
    lines: [],
  },
];
const hints = {
  total: { dataType: "decimal" as const, precision: 38, scale: 9 },
  date: { dataType: "date" as const },
  updated_at: { dataType: "timestamp" as const },
  big: { dataType: "bigint" as const },
  meta: { dataType: "json" as const },
};

const destinations: Array<[string, (dir: string) => Destination, string | undefined]> = [
  ["duckdb", (dir) => duckdb({ credentials: join(dir, "d.duckdb") }), undefined],
  ["postgres", () => postgres({ credentials: PG_URL }), pgSkip],
  ["filesystem", (dir) => filesystem({ bucketUrl: join(dir, "bucket") }), undefined],
];

describe.each(destinations)("the dataset API on %s", (name, make, skip) => {
  it.skipIf(skip !== undefined)("maps values the one documented way and chains like dlt's relation", async () => {
    const dir = join(root, name);
    const p = duckPipeline(dir, { pipelineName: `api_${name}`, datasetName: dataset, destination: make(dir) });
    await p.run(invoices, { tableName: "invoices", primaryKey: "id", columns: hints });
    const ds = p.dataset();

    const first = await ds.table("invoices").where("id = 'inv-1'").fetchOne();
    expect(first).toMatchObject({ id: "inv-1", date: "2024-03-05", small: 7 });
    expect(String(first!.total)).toMatch(/^1234\.50*$/);
    expect(first!.updated_at).toEqual(new Date("2024-03-05T10:11:12.345Z"));
    expect(first!.big).toBe(9007199254740993n);
    expect(first!.meta).toEqual({ channel: "web", tags: ["a", "b"] });

    expect(await ds.sql("select count(*) as n from invoices").fetchScalar()).toBe(2);
    expect(await ds.table("invoices").count()).toBe(2);
    const ordered = await ds.table("invoices").select("id").orderBy("date", "desc").rows();
    expect(ordered.map((r) => r.id)).toEqual(["inv-2", "inv-1"]);

    // A nested table beside its parent's columns.
    const lines = await ds.table("invoices").join("lines").orderBy("lines__sku").rows();
    expect(lines.map((r) => [r.id, r.lines__sku])).toEqual([
      ["inv-1", "A"],
      ["inv-1", "B"],
    ]);
    expect(() => ds.table("invoices").join("nope")).toThrow(/no nested table "nope"/);

    // Chunks in a stable order, nothing twice.
    const chunks: string[][] = [];
    for await (const chunk of ds.table("invoices").iterRows({ chunkSize: 1 })) chunks.push(chunk.map((r) => String(r.id)));
    expect(chunks).toHaveLength(2);
    expect(chunks.flat().sort()).toEqual(["inv-1", "inv-2"]);
    expect(await ds.rowCounts()).toEqual({ invoices: 2, invoices__lines: 2 });
  });

  it.skipIf(skip !== undefined)("exports Arrow tables and polars DataFrames with the schema's types", async () => {
    const dir = join(root, `${name}-arrow`);
    const p = duckPipeline(dir, { pipelineName: `arrow_${name}`, datasetName: `${dataset}_a`, destination: make(dir) });
    await p.run(invoices, { tableName: "invoices", primaryKey: "id", columns: hints });
    const rel = p.dataset().table("invoices").select("id", "total", "date", "updated_at", "big", "small").orderBy("id");
    const table = await rel.arrow();
    // Arrow's DataType prints itself ("Int64", "Date32<DAY>"); its typings do not say so.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, f.type.toString()]));
    expect(types).toEqual({
      id: "Utf8",
      total: "Utf8",
      date: "Date32<DAY>",
      updated_at: "Timestamp<MILLISECOND, UTC>",
      big: "Int64",
      small: "Int64",
    });
    expect(table.numRows).toBe(2);
    expect(table.getChild("big")!.get(0)).toBe(9007199254740993n);

    let batches = 0;
    for await (const t of rel.iterArrow({ chunkSize: 1 })) batches += t.numRows;
    expect(batches).toBe(2);

    const df = await rel.df();
    expect(df.shape).toEqual({ height: 2, width: 6 });
    expect(df.getColumn("id").toArray()).toEqual(["inv-1", "inv-2"]);
    expect(String(df.getColumn("updated_at").dtype)).toContain("Datetime");
    if (!pgSkip && name === "postgres") await withServer((c) => c.query(`DROP SCHEMA IF EXISTS "${dataset}_a" CASCADE`));
  });
});
