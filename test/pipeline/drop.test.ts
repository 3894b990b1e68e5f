import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Destination } from "../../src/destinations/destination.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { filesystem } from "../../src/destinations/filesystem/index.js";
import { postgres } from "../../src/destinations/postgres/index.js";
import { incremental, resource, source } from "../../src/extract/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { ConfigError } from "../../src/util/errors.js";
import { dropSchema, PG_URL, probePostgres } from "../destinations/pg-server.js";
import { emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

// `Pipeline.drop` (what `pipeline X drop` applies) on each destination the brief names: the
// resource's tables and nested tables go from the destination, its state from the destination's
// state row and the working dir, and the next run reloads it in full, to exactly the rows it had.

const dir = tempDir("sp-drop-");

/** Orders with nested lines (a child table) read incrementally by `updated`; customers replaced each run. */
function shop() {
  const orders = resource(
    function* (ctx) {
      const since = ctx.incremental!.startValue as number;
      const all = [1, 2, 3, 4, 5].map((id) => ({ id, updated: id, lines: [{ sku: `a${id}` }, { sku: `b${id}` }] }));
      yield all.filter((o) => o.updated > since);
    },
    {
      name: "orders",
      primaryKey: "id",
      writeDisposition: "merge",
      incremental: incremental({ cursorPath: "updated", initialValue: 0 }),
    },
  );
  const customers = resource(
    function* () {
      yield [{ id: 1 }, { id: 2 }, { id: 3 }];
    },
    { name: "customers", writeDisposition: "replace" },
  );
  return source("shop", [orders, customers]);
}

const pgSkip = await probePostgres();
const datasetOf = (kind: string) => `cli_explore_drop_${kind}_${randomBytes(3).toString("hex")}`;
const pgDatasets: string[] = [];
afterAll(async () => {
  if (!pgSkip) for (const d of pgDatasets) await dropSchema(d);
});

const cases: Array<{ name: string; skip?: string; destination: (name: string) => Destination }> = [
  { name: "duckdb", destination: (n) => duckdb({ credentials: join(dir, `${n}.duckdb`) }) },
  { name: "postgres", ...(pgSkip ? { skip: pgSkip } : {}), destination: () => postgres({ credentials: PG_URL }) },
  { name: "filesystem", destination: (n) => filesystem({ bucketUrl: join(dir, `${n}-bucket`) }) },
];

for (const c of cases) {
  describe.skipIf(c.skip !== undefined)(`drop on ${c.name}${c.skip ? ` (skipped: ${c.skip})` : ""}`, () => {
    const name = `drop_${c.name}`;
    const datasetName = datasetOf(c.name);
    if (c.name === "postgres") pgDatasets.push(datasetName);
    const make = () =>
      new Pipeline({
        pipelineName: name,
        datasetName,
        destination: c.destination(name),
        pipelinesDir: join(dir, "pipelines"),
        config: emptyConfig(),
      });
    const counts = async (p: Pipeline) => p.dataset().rowCounts();
    let before: Record<string, number>;

    beforeAll(async () => {
      const p = make();
      await p.run(shop());
      before = await counts(p);
    });

    it("shows what goes, refuses unknown names with a suggestion, and changes nothing by planning", async () => {
      const p = make();
      const stateFile = join(p.workingDir.path, "state.json");
      const stateBefore = readFileSync(stateFile, "utf8");
      const plan = p.planDrop(["orders"]);
      expect(plan.schemas).toMatchObject([{ schemaName: "shop", resources: ["orders"], tables: ["orders__lines", "orders"] }]);
      expect(plan.schemas[0]!.stateKeys).toContain("sources.shop.resources.orders.incremental.updated.lastValue");
      expect(plan.schemas[0]!.stateKeys.every((k) => k.startsWith("sources.shop.resources.orders."))).toBe(true);
      expect(() => p.planDrop(["order"])).toThrow(ConfigError);
      expect(() => p.planDrop(["order"])).toThrow(/no resource order, did you mean orders\?/);
      expect(readFileSync(stateFile, "utf8")).toBe(stateBefore);
      expect(p.hasPendingPackages()).toBe(false);
      expect(await counts(p)).toEqual(before);
    });

    it("drops the tables and the state in the destination in one commit; the next run reloads exactly", async () => {
      expect(before).toMatchObject({ orders: 5, orders__lines: 10, customers: 3 });
      const p = make();
      const info = await p.drop(p.planDrop(["orders"]));
      expect(info.loadPackages).toHaveLength(1);
      expect(p.hasPendingPackages()).toBe(false);

      const q = make();
      const client = await (await q.destination()).connect({ datasetName, pipelineName: name, workingDir: q.workingDir.path });
      try {
        const tables = await client.tableNames();
        expect(tables).toContain("customers");
        expect(tables).not.toContain("orders");
        expect(tables).not.toContain("orders__lines");
        // The destination's newest state has no cursor of orders, and its schema no orders tables.
        const { decodeState } = await import("../../src/pipeline/index.js");
        const stored = decodeState((await client.storedState(name))!.state);
        expect(stored.sources.shop!.resources!.orders).toBeUndefined();
        expect(stored.sources.shop!.resources!.customers).toBeDefined();
        const schema = await client.storedSchema("shop");
        expect(schema!.tables.map((t) => t.name)).not.toContain("orders");
      } finally {
        await client.close();
      }
      expect(q.state.sources.shop!.resources!.orders).toBeUndefined();
      expect(q.workingDir.readSchema("shop")!.get("orders__lines")).toBeUndefined();

      const reload = await q.run(shop());
      expect(reload.rowCounts).toMatchObject({ orders: 5, orders__lines: 10 });
      expect(await counts(q)).toEqual(before);
      // And incremental again from the reloaded cursor: nothing new, nothing twice.
      const again = await q.run(shop());
      expect(again.rowCounts.orders ?? 0).toBe(0);
      expect(await counts(q)).toEqual(before);
    });

    it("a drop whose load fails stays pending and the next run commits it first", async () => {
      const p = make();
      const plan = p.planDrop(["customers"]);
      // Write the packages as drop() does, without loading: the state of a crash after the write.
      const { writeDropPackages } = await import("../../src/pipeline/drop.js");
      const [loadId] = writeDropPackages(p.workingDir, plan, datasetName);
      expect(existsSync(join(p.workingDir.packages.root, "normalized", loadId!))).toBe(true);
      expect(() => p.planDrop(["orders"])).toThrow(/not loaded yet/);
      const info = await make().run(shop());
      expect(info.loadPackages.map((l) => l.loadId)[0]).toBe(loadId);
      // customers was dropped and reloaded by the same run: the same three rows, once.
      expect(await counts(make())).toEqual(before);
    });
  });
}
