import { describe, expect, it } from "vitest";
import { incremental, type Item, resource, source, transformer, type ResourceContext } from "../../src/extract/index.js";
import { SourceError } from "../../src/extract/index.js";
import { RunIncompleteError } from "../../src/pipeline/index.js";
import { ConfigError } from "../../src/util/errors.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir("sp-isolation-");

/** A resource that yields two pages for each partition, then fails the ones in `failing` after their first page. */
function partitioned(
  name: string,
  writeDisposition: "merge" | "append" | "replace",
  failing: Set<string>,
  mode: "report" | "throw",
  version = 1,
) {
  return resource(
    function* (ctx: ResourceContext) {
      const seen = (ctx.state.seen ??= {}) as Record<string, number>;
      for (const part of ["a", "b"]) {
        yield [
          { part, id: `${part}1`, v: version },
          { part, id: `${part}2`, v: version },
        ];
        if (failing.has(part)) {
          if (mode === "throw") throw new Error(`part ${part} broke`);
          ctx.reportIncomplete({ partition: { part }, label: `part ${part}`, reason: new Error(`part ${part} broke`) });
          continue;
        }
        yield [{ part, id: `${part}3`, v: version }];
        seen[part] = version; // a per-partition cursor, advanced only when the part is complete
      }
    },
    { name, writeDisposition, primaryKey: ["part", "id"] },
  );
}

const healthy = () =>
  resource(
    function* () {
      yield [{ id: 1 }, { id: 2 }];
    },
    { name: "healthy", primaryKey: "id", writeDisposition: "merge" },
  );

async function rows(p: ReturnType<typeof duckPipeline>, table: string) {
  return (await p.dataset().sql(`select part, id, v from ${table} order by part, id`).rows()) as Array<{
    part: string;
    id: string;
    v: number;
  }>;
}

async function runIncomplete(p: ReturnType<typeof duckPipeline>, data: Parameters<typeof p.run>[0]) {
  const err = await p.run(data).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RunIncompleteError);
  return err as RunIncompleteError;
}

describe("a failed resource does not stop the others, and never loses or doubles rows", () => {
  it("merge: the reported part's rows are kept, its per-part cursor stays, the other resources load", async () => {
    const p = duckPipeline(dir);
    const err = await runIncomplete(p, source("s", [partitioned("m", "merge", new Set(["a"]), "report"), healthy()]));
    expect(err.loadInfo.incomplete).toEqual([
      { resource: "m", partition: { part: "a" }, label: "part a", reason: "part a broke", rows: "kept" },
    ]);
    expect(err.message).toContain("m of part a: part a broke (rows read: kept)");
    expect(String(err.loadInfo)).toContain("1 resource part(s) are INCOMPLETE");
    expect((await rows(p, "m")).map((r) => r.id)).toEqual(["a1", "a2", "b1", "b2", "b3"]);
    expect(await p.dataset().table("healthy").count()).toBe(2);
    const slot = p.state.sources.s!.resources!.m as { seen: Record<string, number> };
    expect(slot.seen).toEqual({ b: 1 });
    // the source recovers: the next run completes part a; merge leaves one row per key
    await p.run(source("s", [partitioned("m", "merge", new Set(), "report", 2), healthy()]));
    expect((await rows(p, "m")).map((r) => `${r.id}:${r.v}`)).toEqual(["a1:2", "a2:2", "a3:2", "b1:2", "b2:2", "b3:2"]);
  });

  it("append: the reported part's rows are dropped (a re-read would append them twice), the rest loads", async () => {
    const p = duckPipeline(dir);
    const err = await runIncomplete(p, source("s", [partitioned("ap", "append", new Set(["b"]), "report")]));
    expect(err.loadInfo.incomplete[0]).toMatchObject({ resource: "ap", partition: { part: "b" }, rows: "dropped" });
    expect((await rows(p, "ap")).map((r) => r.id)).toEqual(["a1", "a2", "a3"]);
    await p.run(source("s", [partitioned("ap", "append", new Set(), "report", 2)]));
    // part a again (the resource's own cursor would skip it in real life; here it re-yields), part b once
    const after = await rows(p, "ap");
    expect(after.filter((r) => r.part === "b").map((r) => r.id)).toEqual(["b1", "b2", "b3"]);
  });

  it("replace: a partial read never replaces the table; the old rows and the old state stay", async () => {
    const p = duckPipeline(dir);
    await p.run(source("s", [partitioned("rp", "replace", new Set(), "report", 1)]));
    const before = p.state.sources.s!.resources!.rp;
    expect(await rows(p, "rp")).toHaveLength(6);
    const err = await runIncomplete(p, source("s", [partitioned("rp", "replace", new Set(["a"]), "throw", 2), healthy()]));
    expect(err.loadInfo.incomplete).toEqual([{ resource: "rp", reason: "part a broke", rows: "dropped" }]);
    expect((await rows(p, "rp")).map((r) => r.v)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(p.state.sources.s!.resources!.rp).toEqual(before);
    expect(await p.dataset().table("healthy").count()).toBe(2);
  });

  it("a resource that throws keeps its old incremental; merge keeps what it read", async () => {
    const p = duckPipeline(dir);
    let fail = false;
    const r = resource(
      function* (ctx: ResourceContext) {
        const start = (ctx.incremental?.startValue as number | undefined) ?? 0;
        for (let i = start + 1; i <= start + 4; i++) {
          if (fail && i === start + 3) throw new Error("cut off");
          yield [{ id: i, updated: i }];
        }
      },
      { name: "inc", primaryKey: "id", writeDisposition: "merge", incremental: incremental({ cursorPath: "updated" }) },
    );
    await p.run(source("s", [r]));
    expect(p.state.sources.s!.resources!.inc!.incremental!.updated!.lastValue).toBe(4);
    fail = true;
    await runIncomplete(p, source("s", [r]));
    expect(p.state.sources.s!.resources!.inc!.incremental!.updated!.lastValue).toBe(4);
    expect(await p.dataset().table("inc").count()).toBe(6); // 1-4, then 5 and 6 before the break
    fail = false;
    await p.run(source("s", [r]));
    expect(p.state.sources.s!.resources!.inc!.incremental!.updated!.lastValue).toBe(8);
    expect(await p.dataset().table("inc").count()).toBe(8);
  });

  it("a failing transformer stops alone: its parent and siblings load", async () => {
    const p = duckPipeline(dir);
    const parent = resource(
      function* () {
        yield [{ id: 1 }, { id: 2 }];
        yield [{ id: 3 }];
      },
      { name: "parent", primaryKey: "id", writeDisposition: "merge" },
    );
    const good = transformer((items: Item[]) => [items.map((i) => ({ id: i.id, ok: true }))], {
      name: "good",
      dataFrom: parent,
      primaryKey: "id",
      writeDisposition: "merge",
    });
    const bad = transformer(
      (items: Item[]) => {
        if (items.length === 1) throw new Error("no detail for 3");
        return [items.map((i) => ({ id: i.id }))];
      },
      { name: "bad", dataFrom: parent, primaryKey: "id", writeDisposition: "append" },
    );
    const err = await runIncomplete(p, source("s", [parent, good, bad]));
    expect(err.loadInfo.incomplete).toEqual([{ resource: "bad", reason: "no detail for 3", rows: "dropped" }]);
    expect(await p.dataset().table("parent").count()).toBe(3);
    expect(await p.dataset().table("good").count()).toBe(3);
    expect(await p.dataset().sql("select count(*) as n from information_schema.tables where table_name = 'bad'").rows()).toEqual([
      { n: 0 },
    ]);
  });

  it("a SourceError or ConfigError stops the whole extract: nothing is committed", async () => {
    for (const make of [() => new SourceError("credentials refused"), () => new ConfigError("bad option")]) {
      const p = duckPipeline(dir);
      const fatal = resource(
        async function* () {
          await new Promise((r) => setTimeout(r, 20));
          yield [{ id: 1 }];
          throw make();
        },
        { name: "fatal" },
      );
      const err = await p.run(source("s", [fatal, healthy()])).catch((e: unknown) => e);
      expect(String(err)).toMatch(/credentials refused|bad option/);
      expect(err).not.toBeInstanceOf(RunIncompleteError);
      expect(p.state.sources.s).toBeUndefined();
      expect(p.hasPendingPackages()).toBe(false);
    }
  });
});
