import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigResolver } from "../../src/config/resolver.js";
import type { Destination } from "../../src/destinations/destination.js";
import { incremental } from "../../src/extract/incremental.js";
import { type KeySetReport, type ResourceHints, resource } from "../../src/extract/resource.js";
import { NamingConvention } from "../../src/normalize/naming.js";
import type { NormalizedManifest } from "../../src/package/format.js";
import { type Pipeline, pipeline } from "../../src/pipeline/pipeline.js";
import { Schema, type StoredSchema } from "../../src/schema/schema.js";
import { addLogSink } from "../../src/util/logger.js";

/**
 * The destination conformance suite (DESIGN §3, hono's router-suite idea): the same cases, through
 * the public pipeline API, against every destination. A destination is done when it passes.
 */
export const CASES = [
  "type round trip",
  "NUL characters",
  "schema evolution",
  "child tables and links",
  "append",
  "replace",
  "merge",
  "committed package reload",
  "load id clash",
  "state restore",
  "long identifiers",
  "reserved words and case",
  "read-only query session",
  "key set reconciliation",
  "quarantined items table",
  "drop resource",
] as const;
export type CaseName = (typeof CASES)[number];

export interface ConformanceTarget {
  /** Shown in test names, e.g. "postgres (server)". */
  name: string;
  /** Why the whole suite cannot run here (e.g. no server); the suite is skipped with this text. */
  skip?: string | undefined;
  /** A destination for one test; every test loads into a dataset of its own. */
  destination(ctx: { dir: string }): Destination;
  /** What the destination does with NUL characters in text. */
  nul: "kept" | "stripped";
  /** The longest text value the destination stores, if it has a limit (Redshift: VARCHAR(65535) bytes). */
  maxTextBytes?: number;
  /** Cases this destination cannot pass, each with the reason. */
  skipCases?: Partial<Record<CaseName, string>>;
  /** Remove a test's dataset when the test is done (a server keeps it otherwise). */
  dropDataset?(datasetName: string): Promise<void>;
}

type Row = Record<string, unknown>;

function rows(name: string, data: unknown[], hints: ResourceHints = {}) {
  return resource(
    function* () {
      if (data.length > 0) yield data;
    },
    { name, ...hints },
  );
}

function byId(list: Row[], key = "id"): Row[] {
  return [...list].sort((a, b) => Number(a[key]) - Number(b[key]));
}

let seq = 0;

export function conformanceSuite(target: ConformanceTarget): void {
  const root = mkdtempSync(join(tmpdir(), "conformance-"));
  const datasets: string[] = [];
  afterAll(async () => {
    for (const d of datasets) await target.dropDataset?.(d);
    rmSync(root, { recursive: true, force: true });
  });

  /** A fresh dataset and working dir per test; `pipelinesDir` differs to simulate another machine. */
  function setup(label: string) {
    const dir = mkdtempSync(join(root, `${label}-`));
    const datasetName = `c${++seq}_${label}_${Math.random().toString(36).slice(2, 8)}`;
    datasets.push(datasetName);
    const destination = target.destination({ dir });
    const make = (pipelinesDir = join(dir, "pipelines"), pipelineName = `conf_${label}`): Pipeline =>
      pipeline({ pipelineName, destination, datasetName, pipelinesDir, config: new ConfigResolver([]) });
    return { dir, datasetName, destination, make };
  }

  const maxLen = () => target.destination({ dir: root }).capabilities.maxIdentifierLength;

  const title = `destination conformance: ${target.name}${target.skip !== undefined ? ` (skipped: ${target.skip})` : ""}`;
  describe.skipIf(target.skip !== undefined)(title, () => {
    const test = (name: CaseName, fn: () => Promise<void>) => {
      const why = target.skipCases?.[name];
      if (why) it.skip(`${name} (skipped on ${target.name}: ${why})`, fn);
      else it(name, fn);
    };

    test("type round trip", async () => {
      const { make } = setup("types");
      const p = make();
      const big = "x".repeat(Math.min(1 << 20, target.maxTextBytes ?? 1 << 20));
      const hints: ResourceHints = {
        columns: {
          amount: { dataType: "decimal" },
          neg: { dataType: "decimal" },
          huge: { dataType: "decimal" },
          money: { dataType: "decimal", precision: 10, scale: 2 },
          meta: { dataType: "json" },
          list: { dataType: "json" },
          naive: { dataType: "timestamp", timezone: false },
        },
      };
      await p.run(
        rows(
          "types",
          [
            {
              id: 1,
              name: "héllo wörld ✓ 日本語 😀",
              empty: "",
              tricky: "tab\there\\back\nnew\rcr 'q' \"dq\" \\N",
              amount: "12.5",
              neg: "-0.000000001",
              huge: "-12345678901234567890123456789.123456789",
              money: "1234.5",
              count: 9007199254740993n,
              small: -42,
              ratio: 1.5,
              tiny: 1e-300,
              nan: Number.NaN,
              inf: Number.POSITIVE_INFINITY,
              flag: true,
              off: false,
              at: "2024-01-01T10:00:00+02:00",
              at_z: "2024-06-30T23:59:59.123456Z",
              at_naive_input: "2024-03-01T12:30:00",
              naive: "2024-01-01T10:00:00+02:00",
              day: "2024-02-29",
              meta: { a: 1, b: [1, "x", null], c: { d: true, e: "ü" } },
              list: [1, 2, 3],
              bin: new Uint8Array([0, 1, 2, 255]),
              long: big,
            },
            { id: 2, empty: null, name: "" },
          ],
          hints,
        ),
      );
      const [r1, r2] = byId(await p.dataset().table("types").rows());
      expect(r1).toMatchObject({
        id: 1,
        name: "héllo wörld ✓ 日本語 😀",
        empty: "",
        tricky: "tab\there\\back\nnew\rcr 'q' \"dq\" \\N",
        amount: "12.500000000",
        neg: "-0.000000001",
        huge: "-12345678901234567890123456789.123456789",
        money: "1234.50",
        count: 9007199254740993n,
        small: -42,
        ratio: 1.5,
        tiny: 1e-300,
        inf: Number.POSITIVE_INFINITY,
        flag: true,
        off: false,
        day: "2024-02-29",
        meta: { a: 1, b: [1, "x", null], c: { d: true, e: "ü" } },
        list: [1, 2, 3],
      });
      expect(Number.isNaN(r1!.nan)).toBe(true);
      expect((r1!.at as Date).toISOString()).toBe("2024-01-01T08:00:00.000Z");
      expect((r1!.at_z as Date).toISOString()).toBe("2024-06-30T23:59:59.123Z");
      expect((r1!.at_naive_input as Date).toISOString()).toBe("2024-03-01T12:30:00.000Z");
      // A naive column stores the UTC wall time of an offset timestamp.
      expect((r1!.naive as Date).toISOString()).toBe("2024-01-01T08:00:00.000Z");
      expect(Buffer.from(r1!.bin as Uint8Array).equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
      expect(r1!.long).toBe(big);
      // Empty string and NULL stay different; absent keys are NULL.
      expect(r2).toMatchObject({ id: 2, name: "", empty: null, amount: null, meta: null, bin: null, at: null, flag: null });
    });

    test("NUL characters", async () => {
      const { make } = setup("nul");
      const p = make();
      const warnings: string[] = [];
      const stop = addLogSink((r) => {
        if (r.level === "warn") warnings.push(r.message);
      });
      try {
        await p.run(
          rows("nul", [{ id: 1, s: "a\u0000b\u0000c", j: { k: "x\u0000y", list: ["\u0000"] } }], {
            columns: { j: { dataType: "json" } },
          }),
        );
      } finally {
        stop();
      }
      const [r] = await p.dataset().table("nul").rows();
      if (target.nul === "kept") {
        expect(r).toMatchObject({ s: "a\u0000b\u0000c", j: { k: "x\u0000y", list: ["\u0000"] } });
      } else {
        expect(r).toMatchObject({ s: "abc", j: { k: "xy", list: [""] } });
        expect(warnings.some((w) => /4 NUL/.test(w) && w.includes("nul"))).toBe(true);
      }
    });

    test("schema evolution", async () => {
      const { make } = setup("evo");
      const p = make();
      await p.run(rows("evo", [{ id: 1, a: 10 }]));
      await p.run(rows("evo", [{ id: 2, a: "not a number", b: "new", tags: ["x", "y"] }]));
      await p.run(rows("evo", [{ id: 3, a: 30, c: 2.5, tags: ["z"] }]));
      const [r1, r2, r3] = byId(await p.dataset().table("evo").rows());
      expect(r1).toMatchObject({ id: 1, a: 10, a__v_text: null, b: null, c: null });
      expect(r2).toMatchObject({ id: 2, a: null, a__v_text: "not a number", b: "new", c: null });
      expect(r3).toMatchObject({ id: 3, a: 30, a__v_text: null, b: null, c: 2.5 });
      const tags = await p.dataset().table("evo__tags").orderBy("value").rows();
      expect(tags.map((t) => t.value)).toEqual(["x", "y", "z"]);
      expect(tags[0]!._dlt_parent_id).toBe(r2!._dlt_id);
      expect(tags[2]!._dlt_parent_id).toBe(r3!._dlt_id);
      expect(await p.dataset().tables()).toEqual(
        expect.arrayContaining(["evo", "evo__tags", "_dlt_loads", "_dlt_version", "_dlt_pipeline_state"]),
      );
    });

    test("child tables and links", async () => {
      const { make } = setup("kids");
      const p = make();
      await p.run(
        rows("kids", [
          { id: 1, lines: [{ sku: "a", taxes: [{ rate: 20 }, { rate: 5 }] }, { sku: "b" }], tags: ["t1"] },
          { id: 2, lines: [] },
        ]),
      );
      const ds = p.dataset();
      const roots = byId(await ds.table("kids").rows());
      const lines = await ds.table("kids__lines").orderBy("_dlt_list_idx").rows();
      const taxes = await ds.table("kids__lines__taxes").orderBy("_dlt_list_idx").rows();
      const tags = await ds.table("kids__tags").rows();
      expect(roots).toHaveLength(2);
      expect(lines.map((l) => [l.sku, l._dlt_list_idx, l._dlt_parent_id, l._dlt_root_id])).toEqual([
        ["a", 0, roots[0]!._dlt_id, roots[0]!._dlt_id],
        ["b", 1, roots[0]!._dlt_id, roots[0]!._dlt_id],
      ]);
      expect(taxes.map((t) => [t.rate, t._dlt_list_idx, t._dlt_parent_id, t._dlt_root_id])).toEqual([
        [20, 0, lines[0]!._dlt_id, roots[0]!._dlt_id],
        [5, 1, lines[0]!._dlt_id, roots[0]!._dlt_id],
      ]);
      expect(tags.map((t) => [t.value, t._dlt_parent_id])).toEqual([["t1", roots[0]!._dlt_id]]);
      const joined = await ds
        .sql(
          "SELECT k.id, l.sku, t.rate FROM kids k JOIN kids__lines l ON l._dlt_parent_id = k._dlt_id JOIN kids__lines__taxes t ON t._dlt_parent_id = l._dlt_id ORDER BY t.rate",
        )
        .rows();
      expect(joined).toEqual([
        { id: 1, sku: "a", rate: 5 },
        { id: 1, sku: "a", rate: 20 },
      ]);
    });

    test("append", async () => {
      const { make } = setup("app");
      const p = make();
      await p.run(
        rows("app", [
          { id: 1, v: "a" },
          { id: 2, v: "b" },
          { id: 3, v: "c" },
        ]),
      );
      await p.run(
        rows("app", [
          { id: 3, v: "c2" },
          { id: 4, v: "d" },
        ]),
      );
      const all = await p.dataset().table("app").orderBy("id").orderBy("v").rows();
      expect(all.map((r) => [r.id, r.v])).toEqual([
        [1, "a"],
        [2, "b"],
        [3, "c"],
        [3, "c2"],
        [4, "d"],
      ]);
      expect(await p.dataset().sql("select count(*) as n from app").rows()).toEqual([{ n: 5 }]);
      const loads = await p.dataset().table("_dlt_loads").rows();
      expect(loads).toHaveLength(2);
      expect(loads.every((l) => l.status === 0)).toBe(true);
    });

    test("replace", async () => {
      const { make } = setup("rep");
      const p = make();
      const hints: ResourceHints = { writeDisposition: "replace" };
      await p.run(
        rows(
          "rep",
          [
            { id: 1, items: [1, 2] },
            { id: 2, items: [3] },
          ],
          hints,
        ),
      );
      await p.run(rows("rep", [{ id: 3, items: [4] }], hints));
      const ds = p.dataset();
      expect((await ds.table("rep").rows()).map((r) => r.id)).toEqual([3]);
      const items = await ds.table("rep__items").rows();
      expect(items.map((r) => r.value)).toEqual([4]);
      // A replace resource that yields nothing empties its tables.
      await p.run(rows("rep", [], hints));
      expect(await ds.table("rep").count()).toBe(0);
      expect(await ds.table("rep__items").count()).toBe(0);
      await p.run(rows("rep", [{ id: 5, items: [5, 6] }], hints));
      expect((await ds.table("rep").rows()).map((r) => r.id)).toEqual([5]);
      expect((await ds.table("rep__items").orderBy("value").rows()).map((r) => r.value)).toEqual([5, 6]);
    });

    test("merge", async () => {
      const { make } = setup("mrg");
      const p = make();
      const hints: ResourceHints = {
        writeDisposition: "merge",
        primaryKey: "id",
        columns: { deleted: { dataType: "bool", hardDelete: true } },
      };
      await p.run(
        rows(
          "mrg",
          [
            { id: 1, v: "one", lines: [{ n: "1a" }, { n: "1b" }] },
            { id: 2, v: "two", lines: [{ n: "2a" }] },
            { id: 3, v: "three", lines: [{ n: "3a" }] },
          ],
          hints,
        ),
      );
      await p.run(
        rows(
          "mrg",
          [
            { id: 2, v: "two-b", lines: [{ n: "2b" }] },
            { id: 3, deleted: true },
            { id: 4, v: "four-a", lines: [{ n: "4a" }] },
            { id: 4, v: "four-b", lines: [{ n: "4b" }, { n: "4c" }] },
          ],
          hints,
        ),
      );
      const ds = p.dataset();
      const roots = byId(await ds.table("mrg").rows());
      expect(roots.map((r) => [r.id, r.v])).toEqual([
        [1, "one"],
        [2, "two-b"],
        [4, "four-b"],
      ]);
      const lines = await ds
        .sql("SELECT m.id, l.n FROM mrg m JOIN mrg__lines l ON l._dlt_root_id = m._dlt_id ORDER BY l.n")
        .rows();
      expect(lines).toEqual([
        { id: 1, n: "1a" },
        { id: 1, n: "1b" },
        { id: 2, n: "2b" },
        { id: 4, n: "4b" },
        { id: 4, n: "4c" },
      ]);
      // No orphans: every child row belongs to a stored root row.
      expect(await ds.table("mrg__lines").count()).toBe(5);
      // A third load that only deletes.
      await p.run(rows("mrg", [{ id: 1, deleted: true }], hints));
      expect(byId(await ds.table("mrg").rows()).map((r) => r.id)).toEqual([2, 4]);
      expect(await ds.table("mrg__lines").count()).toBe(3);
    });

    test("key set reconciliation", async () => {
      const { make } = setup("keys");
      const p = make();
      const hints: ResourceHints = { writeDisposition: "merge", primaryKey: ["part", "id"] };
      const at = "2026-03-04T05:06:07.000Z";
      const soft = { hard: false, column: "deleted_at", kind: "timestamp" as const, at };
      const keyed = (data: Row[], sets: Array<Omit<KeySetReport, "keyColumn" | "partition"> & { part: string }>) =>
        resource(
          function* (ctx) {
            if (data.length > 0) yield data;
            for (const { part, ...k } of sets) ctx.reportKeySet({ ...k, partition: { part }, keyColumn: "id" });
          },
          { name: "keyed", ...hints },
        );
      await p.run(
        keyed(
          [
            { part: "a", id: "1", v: "one", lines: [{ n: "a1" }] },
            { part: "a", id: "2", v: "two", lines: [{ n: "a2" }] },
            { part: "a", id: "3", v: "three" },
            { part: "b", id: "1", v: "b-one" },
            { part: "b", id: "2", v: "b-two", lines: [{ n: "b2" }, { n: "b2x" }] },
          ],
          [
            { part: "a", keys: ["1", "2", "3"], total: 3, mode: "replace", deletion: soft },
            { part: "b", keys: ["1", "2"], mode: "replace", deletion: soft },
          ],
        ),
      );
      // a: 1 gone (marked), 2 changed; b: 2 gone with hard delete (removed with its child rows).
      const second = await p.run(
        keyed(
          [{ part: "a", id: "2", v: "two-b", lines: [{ n: "a2b" }] }],
          [
            { part: "a", keys: ["2", "3"], total: 2, mode: "deletions", deletion: soft },
            { part: "b", keys: ["1"], total: 1, mode: "deletions", deletion: { ...soft, hard: true } },
          ],
        ),
      );
      const ds = p.dataset();
      const stored = async () =>
        (await ds.sql("SELECT part, id, v, deleted_at FROM keyed ORDER BY part, id").rows()).map((r) => [
          r.part,
          r.id,
          r.v,
          r.deleted_at === null || r.deleted_at === undefined ? null : new Date(r.deleted_at as string).toISOString(),
        ]);
      expect(await stored()).toEqual([
        ["a", "1", "one", at],
        ["a", "2", "two-b", null],
        ["a", "3", "three", null],
        ["b", "1", "b-one", null],
      ]);
      const lines = await ds.sql("SELECT l.n FROM keyed k JOIN keyed__lines l ON l._dlt_root_id = k._dlt_id ORDER BY l.n").rows();
      expect(lines.map((l) => l.n)).toEqual(["a1", "a2b"]);
      expect(await ds.table("keyed__lines").count()).toBe(2);
      expect(second.reconciliation.map((r) => [r.partition.part, r.listed, r.marked, r.removed, r.live])).toEqual([
        ["a", 2, 1, 0, 2],
        ["b", 1, 0, 1, 1],
      ]);
      expect(second.reconciliationWarnings).toEqual([]);
      // A replace (full refresh): the part holds exactly the keys listed, marked rows gone too.
      const third = await p.run(keyed([], [{ part: "a", keys: ["3"], total: 4, mode: "replace", deletion: soft }]));
      expect(await stored()).toEqual([
        ["a", "3", "three", null],
        ["b", "1", "b-one", null],
      ]);
      expect(await ds.table("keyed__lines").count()).toBe(0);
      expect(third.reconciliation.map((r) => [r.removed, r.live])).toEqual([[2, 1]]);
      // $total said 4 but 1 row is there: a warning naming the part and both numbers.
      expect(third.reconciliationWarnings).toEqual([
        "keyed of part = a: 4 in the source, 1 loaded (not explained by deletes; its list of ids had 1)",
      ]);
    });

    test("quarantined items table", async () => {
      const { make } = setup("rej");
      const p = make();
      const hints: ResourceHints = { writeDisposition: "merge", primaryKey: "id" };
      await expect(p.run(rows("rej", [{ id: 1, v: "a" }, { v: "no id" }], hints))).rejects.toThrow(/quarantined/);
      const ds = p.dataset();
      expect(await ds.table("rej").count()).toBe(1);
      const got = await ds.sql("SELECT resource, table_name, item_id, item_index, item FROM _dlt_rejected").rows();
      expect(
        got.map((r) => [r.resource, r.table_name, r.item_id, Number(r.item_index), JSON.parse(r.item as string) as unknown]),
      ).toEqual([["rej", "rej", null, 2, { v: "no id" }]]);
    });

    test("committed package reload", async () => {
      const { make, datasetName } = setup("reload");
      const p = make();
      const first = await p.run(rows("rl", [{ id: 1, items: ["a"] }, { id: 2 }]));
      const loadId = first.loadPackages[0]!.loadId;
      // Put the committed package back into normalized/, as if a crash hit after the commit.
      const packages = join(p.workingDir.path, "packages");
      const loaded = join(packages, "loaded", loadId);
      const again = join(packages, "normalized", loadId);
      renameSync(loaded, again);
      rmSync(join(again, "package_completed.json"));
      for (const f of readdirSync(join(again, "completed_jobs"))) {
        renameSync(join(again, "completed_jobs", f), join(again, "new_jobs", f));
      }
      const info = await p.load();
      expect(info.loadPackages.map((x) => x.alreadyLoaded)).toEqual([true]);
      expect(await p.dataset().table("rl").count()).toBe(2);
      // The destination itself refuses a committed load id, even if asked directly.
      const manifest = JSON.parse(readFileSync(join(loaded, "manifest.json"), "utf8")) as NormalizedManifest;
      const schema = Schema.fromJSON(JSON.parse(readFileSync(join(loaded, "schema.json"), "utf8")) as StoredSchema);
      const client = await (
        await p.destination()
      ).connect({ datasetName, pipelineName: p.pipelineName, workingDir: p.workingDir.path });
      try {
        expect(await client.isLoaded(loadId)).toBe(true);
        await client.load({
          loadId,
          schema,
          rootTables: manifest.rootTables,
          jobs: manifest.jobs.map((j) => ({ ...j, path: join(loaded, "completed_jobs", j.file) })),
        });
      } finally {
        await client.close();
      }
      expect(await p.dataset().table("rl").count()).toBe(2);
      expect(await p.dataset().table("rl__items").count()).toBe(1);
      expect(await p.dataset().table("_dlt_loads").count()).toBe(1);
    });

    test("load id clash", async () => {
      // Two workers of one pipeline (working dirs of their own) drew the same load id: the
      // destination holds worker A's package under it, so worker B's must load under a new id,
      // never be skipped as "already loaded" (its rows were lost that way).
      const { make, dir } = setup("clash");
      const name = "conf_clash";
      const hints: ResourceHints = { primaryKey: "id", writeDisposition: "merge" };
      const a = make(join(dir, "worker-a"), name);
      const b = make(join(dir, "worker-b"), name);
      await a.extract(rows("inv", [{ id: 1, business: "b1", lines: [{ n: 1 }] }], hints));
      await a.normalize();
      await b.extract(rows("inv", [{ id: 2, business: "b2", lines: [{ n: 2 }, { n: 3 }] }], hints));
      await b.normalize();
      const taken = a.workingDir.packages.list("normalized")[0]!;
      b.workingDir.packages.reidentify(b.workingDir.packages.list("normalized")[0]!, taken);
      await a.load();
      const warnings: string[] = [];
      const remove = addLogSink((rec) => {
        if (rec.level === "warn") warnings.push(rec.message);
      });
      let renamed: string;
      try {
        const info = await b.load();
        expect(info.loadPackages).toHaveLength(1);
        renamed = info.loadPackages[0]!.loadId;
        expect(info.loadPackages[0]!.alreadyLoaded).toBe(false);
      } finally {
        remove();
      }
      expect(renamed).not.toBe(taken);
      expect(warnings.some((w) => w.includes(`load id ${taken}`) && w.includes(renamed))).toBe(true);
      const inv = byId(await b.dataset().table("inv").rows());
      expect(inv.map((r) => [r.id, r._dlt_load_id])).toEqual([
        [1, taken],
        [2, renamed],
      ]);
      expect(await b.dataset().table("inv__lines").count()).toBe(3);
      const loads = (await b.dataset().table("_dlt_loads").rows()).map((r) => String(r.load_id)).sort();
      expect(loads).toEqual([taken, renamed].sort());
      expect(b.workingDir.packages.list("normalized")).toEqual([]);
      expect(b.workingDir.packages.list("loaded")).toEqual([renamed]);
      // Loading again changes nothing: the renamed package is recognised as loaded.
      expect((await b.load()).loadPackages).toEqual([]);
      expect(await b.dataset().table("inv").count()).toBe(2);
    });

    test("state restore", async () => {
      const { make, dir } = setup("state");
      // A pipeline name with "__" (dlt #3427 broke restore for those on filesystem).
      const name = "conf__state";
      const events = (n: number) =>
        resource(
          function* () {
            yield Array.from({ length: n }, (_, i) => ({ id: i + 1, updated_at: `2024-01-0${i + 1}T00:00:00Z` }));
          },
          { name: "events", primaryKey: "id", incremental: incremental({ cursorPath: "updated_at" }) },
        );
      const p1 = make(join(dir, "machine-a"), name);
      await p1.run(events(3));
      // A second machine with an empty working dir: the cursor comes back from the destination.
      const p2 = make(join(dir, "machine-b"), name);
      await p2.run(events(5));
      expect((await p2.dataset().table("events").orderBy("id").rows()).map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
      const cursor = p2.state.sources as Record<
        string,
        { resources?: Record<string, { incremental?: Record<string, { lastValue: unknown }> }> }
      >;
      const last = Object.values(cursor)[0]?.resources?.events?.incremental?.updated_at?.lastValue;
      expect(last).toBe("2024-01-05T00:00:00Z");
      // And a third run on yet another machine loads nothing new.
      const p3 = make(join(dir, "machine-c"), name);
      await p3.run(events(5));
      expect(await p3.dataset().table("events").count()).toBe(5);
      const stored = await p3.dataset().table("_dlt_pipeline_state").rows();
      expect(stored.every((s) => s.pipeline_name === name)).toBe(true);
    });

    test("long identifiers", async () => {
      const { make } = setup("long");
      const p = make();
      const naming = new NamingConvention(maxLen());
      const longKey = "a_very_long_column_name_that_keeps_going_".repeat(6);
      const digitKey = "٣".repeat(140); // Arabic-Indic digits survive naming: 2 bytes each
      // Over Postgres' 63 bytes; the column key is also over the filesystem's 200.
      const tableKey = `t_${"long_table_name_".repeat(9)}`;
      await p.run(rows(tableKey, [{ id: 1, [longKey]: "long", [digitKey]: "digits", nested: [{ [longKey]: "child" }] }]));
      const table = naming.normalizeIdentifier(tableKey);
      const col = naming.normalizeIdentifier(longKey);
      const digits = naming.normalizeIdentifier(digitKey);
      for (const n of [table, col, digits]) expect(Buffer.byteLength(n)).toBeLessThanOrEqual(maxLen());
      const tables = await p.dataset().tables();
      expect(tables).toContain(table);
      const [r] = await p.dataset().table(table).rows();
      expect(r![col]).toBe("long");
      expect(r![digits]).toBe("digits");
      const child = tables.find((t) => t !== table && t.startsWith(table.slice(0, 10)) && !t.startsWith("_dlt"));
      expect(child).toBeDefined();
      expect(Buffer.byteLength(child!)).toBeLessThanOrEqual(maxLen());
      const [c] = await p.dataset().table(child!).rows();
      expect(c![naming.normalizeIdentifier(longKey)]).toBe("child");
    });

    test("reserved words and case", async () => {
      const { make } = setup("words");
      const p = make();
      await p.run(rows("order", [{ Id: 1, id: 2, select: "s", order: 3, user: "u", from: true, group: [{ by: "x" }] }]));
      const [r] = await p.dataset().table("order").rows();
      expect(r).toMatchObject({ id: 1, select: "s", order: 3, user: "u", from: true });
      const other = Object.keys(r!).find((k) => k.startsWith("id_"));
      expect(other).toBeDefined();
      expect(r![other!]).toBe(2);
      const viaSql = await p.dataset().sql('SELECT "select", "user", "order" FROM "order" WHERE "from"').rows();
      expect(viaSql).toEqual([{ select: "s", user: "u", order: 3 }]);
      expect((await p.dataset().table("order__group").rows()).map((g) => g.by)).toEqual(["x"]);
    });

    test("read-only query session", async () => {
      const { dir, datasetName, destination, make } = setup("readonly");
      const p = make();
      await p.run(rows("t", [{ id: 1 }, { id: 2 }, { id: 3 }], { primaryKey: "id" }));
      const secrets = join(dir, "secrets.toml");
      writeFileSync(secrets, 'token = "query-canary-7d2f"\n');
      const target = join(dir, "copied.csv");
      const trace = p.lastTrace as { destinationLocation?: string };
      const session = await destination.openQuerySession!({
        datasetName,
        pipelineName: p.pipelineName,
        workingDir: p.workingDir.path,
        maxRows: 2,
        timeoutMs: 60_000,
        ...(trace.destinationLocation ? { recordedLocation: trace.destinationLocation } : {}),
      });
      try {
        const answer = await session.query("select id from t order by id");
        expect(answer).toEqual({ columns: ["id"], rows: [{ id: 1 }, { id: 2 }], truncated: true });
        expect(await session.tableNames()).toContain("t");
        const common = [
          "drop table t",
          "delete from t",
          "insert into t (id) values (4)",
          "create table x (a int)",
          "select 1; drop table t",
        ];
        const engine =
          destination.name === "postgres"
            ? [
                "select lo_create(0)",
                `copy t to '${target}'`,
                "select set_config('transaction_read_only', 'off', false)",
                "commit",
              ]
            : [
                `select * from read_text('${secrets}')`,
                `select * from read_csv('${secrets}')`,
                `copy t to '${target}'`,
                `attach '${join(dir, "other.duckdb")}' as other`,
                "install httpfs",
                "load httpfs",
                "set enable_external_access = true",
                "set lock_configuration = false",
              ];
        for (const sql of [...common, ...engine]) {
          const err = await session.query(sql).then(
            () => undefined,
            (e: unknown) => e as Error,
          );
          expect(err, sql).toBeInstanceOf(Error);
          expect(err!.name, sql).toBe("QueryError");
          expect(err!.message).not.toContain("query-canary-7d2f");
        }
        // The session still works, and nothing changed or leaked.
        expect((await session.query("select count(*) as n from t")).rows).toEqual([{ n: 3 }]);
      } finally {
        await session.close();
      }
      expect(existsSync(target)).toBe(false);
      expect(existsSync(join(dir, "other.duckdb"))).toBe(false);
      expect(await p.dataset().table("t").count()).toBe(3);
    });

    test("drop resource", async () => {
      const { make, destination, datasetName, dir } = setup("drop");
      // Merge with a nested table and a cursor (what `pipeline X drop` resets), beside a resource it keeps.
      const orders = () =>
        resource(
          function* (ctx) {
            const since = ctx.incremental!.startValue as number;
            const all = [1, 2, 3].map((id) => ({ id, updated: id, lines: [{ sku: `a${id}` }, { sku: `b${id}` }] }));
            yield all.filter((o) => o.updated > since);
          },
          {
            name: "orders",
            primaryKey: "id",
            writeDisposition: "merge",
            incremental: incremental({ cursorPath: "updated", initialValue: 0 }),
          },
        );
      const kept = () => rows("kept", [{ id: 1 }, { id: 2 }], { writeDisposition: "replace" });
      const p = make();
      await p.run([orders(), kept()]);
      const before = await p.dataset().rowCounts();
      expect(before).toMatchObject({ orders: 3, orders__lines: 6, kept: 2 });
      const plan = p.planDrop(["orders"]);
      expect(plan.schemas[0]!.tables).toEqual(["orders__lines", "orders"]);
      await p.drop(plan);
      const client = await destination.connect({ datasetName, pipelineName: p.pipelineName, workingDir: join(dir, "x") });
      try {
        const tables = await client.tableNames();
        expect(tables).toContain("kept");
        expect(tables.filter((t) => t.startsWith("orders"))).toEqual([]);
      } finally {
        await client.close();
      }
      // From the destination alone (another machine): the dropped cursor is gone there too.
      const other = make(join(dir, "other-machine"));
      const reload = await other.run([orders(), kept()]);
      expect(reload.rowCounts).toMatchObject({ orders: 3, orders__lines: 6 });
      expect(await other.dataset().rowCounts()).toEqual(before);
    });
  });
}
