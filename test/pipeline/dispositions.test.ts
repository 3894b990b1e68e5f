import { describe, expect, it } from "vitest";
import { resource, source } from "../../src/extract/index.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir();

function invoices(rows: unknown[], hints: Record<string, unknown> = {}) {
  return resource(
    function* () {
      yield rows;
    },
    { name: "invoices", ...hints },
  );
}

async function all(p: ReturnType<typeof duckPipeline>, sql: string) {
  return p.dataset().sql(sql).rows();
}

describe("write dispositions across two runs", () => {
  it("append adds rows and child rows on every run", async () => {
    const p = duckPipeline(dir);
    const data = [
      { id: 1, lines: [{ sku: "A" }] },
      { id: 2, lines: [] },
    ];
    await p.run(invoices(data));
    await p.run(invoices(data));
    expect(await all(p, "select id, count(*) as n from invoices group by id order by id")).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
    expect(await p.dataset().table("invoices__lines").count()).toBe(2);
    const loads = await all(p, "select count(*) as n from _dlt_loads where status = 0");
    expect(loads[0]!.n).toBe(2);
  });

  it("replace swaps the whole table chain, also when a run brings no child rows", async () => {
    const p = duckPipeline(dir);
    await p.run(invoices([{ id: 1, lines: [{ sku: "A" }, { sku: "B" }] }, { id: 2 }], { writeDisposition: "replace" }));
    await p.run(invoices([{ id: 3, total: 9.5 }], { writeDisposition: "replace" }));
    expect(await all(p, "select id, total from invoices")).toEqual([{ id: 3, total: 9.5 }]);
    expect(await p.dataset().table("invoices__lines").count()).toBe(0);
    // a replace run with no rows at all empties the tables
    await p.run(invoices([], { writeDisposition: "replace" }));
    expect(await p.dataset().table("invoices").count()).toBe(0);
  });

  it("merge upserts on the primary key, replaces child rows, and keeps the last duplicate of a package", async () => {
    const p = duckPipeline(dir);
    const hints = { writeDisposition: "merge", primaryKey: "id" };
    await p.run(
      invoices(
        [
          { id: 1, status: "draft", lines: [{ sku: "A" }, { sku: "B" }] },
          { id: 2, status: "sent", lines: [{ sku: "C" }] },
        ],
        hints,
      ),
    );
    await p.run(
      invoices(
        [
          { id: 1, status: "first copy", lines: [{ sku: "X" }] },
          { id: 1, status: "paid", lines: [{ sku: "Z" }] },
          { id: 3, status: "new", lines: [] },
        ],
        hints,
      ),
    );
    expect(await all(p, "select id, status from invoices order by id")).toEqual([
      { id: 1, status: "paid" },
      { id: 2, status: "sent" },
      { id: 3, status: "new" },
    ]);
    expect(
      await all(
        p,
        "select i.id, l.sku from invoices i join invoices__lines l on l._dlt_root_id = i._dlt_id order by i.id, l.sku",
      ),
    ).toEqual([
      { id: 1, sku: "Z" },
      { id: 2, sku: "C" },
    ]);
    expect(await p.dataset().table("invoices__lines").count()).toBe(2);
  });

  it("merge with a composite key and a hard-delete column removes deleted rows", async () => {
    const p = duckPipeline(dir);
    const hints = {
      writeDisposition: "merge",
      primaryKey: ["business_id", "id"],
      columns: { deleted_at: { dataType: "timestamp", hardDelete: true } },
    };
    await p.run(
      invoices(
        [
          { business_id: "b1", id: 1, v: "a" },
          { business_id: "b2", id: 1, v: "b" },
          { business_id: "b1", id: 2, v: "c", lines: [{ q: 1 }] },
        ],
        hints,
      ),
    );
    await p.run(
      invoices(
        [
          { business_id: "b1", id: 2, deleted_at: "2024-06-01T00:00:00Z" },
          { business_id: "b2", id: 1, v: "b2" },
        ],
        hints,
      ),
    );
    expect(await all(p, "select business_id, id, v from invoices order by business_id, id")).toEqual([
      { business_id: "b1", id: 1, v: "a" },
      { business_id: "b2", id: 1, v: "b2" },
    ]);
    expect(await p.dataset().table("invoices__lines").count()).toBe(0);
  });

  it("resources of one source load together in one package", async () => {
    const p = duckPipeline(dir);
    const a = resource(
      function* () {
        yield [{ x: 1 }];
      },
      { name: "a" },
    );
    const b = resource(
      function* () {
        yield { y: "2" };
        yield { y: "3" };
      },
      { name: "b", tableName: "bee" },
    );
    const info = await p.run(source("two", [a, b]));
    expect(info.loadPackages).toHaveLength(1);
    expect(info.rowCounts).toEqual({ a: 1, bee: 2 });
    expect(await p.dataset().rowCounts()).toEqual({ a: 1, bee: 2 });
  });
});
