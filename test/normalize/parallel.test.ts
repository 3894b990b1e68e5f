import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { partition } from "../../src/normalize/parallel.js";
import { tempDir } from "../helpers/tmp-pipeline.js";

// Worker threads run compiled code, so this test drives the built package (npm test builds first).
const dist = join(import.meta.dirname, "..", "..", "dist");
const { Pipeline, resource, duckdb, ConfigResolver } = (await import(
  join(dist, "index.js")
)) as typeof import("../../src/index.js");
const { EnvProvider } = (await import(join(dist, "config", "index.js"))) as typeof import("../../src/config/index.js");
const { addLogSink } = (await import(join(dist, "util", "logger.js"))) as typeof import("../../src/util/logger.js");
const dir = tempDir("sp-parallel-");

/** ~25 MB of items: ids repeat across the halves (merge dedup across parts), a column appears late. */
function items(conflict: boolean, huge = false) {
  return function* () {
    for (let page = 0; page < 25; page++) {
      const rows = [];
      // One item whose 300,000 lines need more heap than a worker has (parallel.ts OLD_GENERATION_MB).
      if (huge && page === 3) rows.push({ id: -1, seq: -1, lines: Array.from({ length: 300_000 }, (_, q) => ({ q })) });
      for (let i = 0; i < 1000; i++) {
        const n = page * 1000 + i;
        const row: Record<string, unknown> = { id: n % 15000, seq: n, pad: "x".repeat(900), lines: [{ q: n }] };
        if (n >= 20000) row.late = `late-${n}`;
        if (conflict) row.flag = n < 12500 ? n : `text-${n}`;
        rows.push(row);
      }
      yield rows;
    }
  };
}

/** DuckDB with load files that never rotate within a part, so that the root table's files count the parts. */
function unrotated(credentials: string): ReturnType<typeof duckdb> {
  const d = duckdb({ credentials });
  return Object.assign(Object.create(d) as typeof d, { capabilities: { ...d.capabilities, loadFileMaxBytes: 1024 ** 3 } });
}

async function load(name: string, workers: number, conflict: boolean, env: Record<string, string> = {}, huge = false) {
  const p = new Pipeline({
    pipelineName: name,
    datasetName: "data",
    destination: unrotated(join(dir, `${name}.duckdb`)),
    pipelinesDir: join(dir, "pipelines"),
    config: new ConfigResolver([new EnvProvider({ NORMALIZE__WORKERS: String(workers), ...env })]),
  });
  await p.run(resource(items(conflict, huge), { name: "things", primaryKey: "id", writeDisposition: "merge" }));
  const q = (sql: string) => p.dataset().sql(sql).rows();
  const store = p.workingDir.packages;
  const manifest = store.readNormalizedManifest(store.list("loaded")[0]!, "loaded");
  const rootFiles = manifest.jobs.filter((j) => j.table === "things").length;
  return {
    rootFiles,
    rows: await q("select id, seq, late from things order by id"),
    lines: await q("select t.id, l.q from things t join things__lines l on l._dlt_root_id = t._dlt_id order by t.id, l.q"),
    columns: Object.keys(p.workingDir.readSchema(name)!.get("things")!.columns).sort(),
  };
}

describe("normalize in worker threads", () => {
  it("splits files into contiguous parts of about equal size", () => {
    const f = (n: number) => ({ file: `f${n}`, resource: "r", table: "t", items: 1 });
    const parts = partition([f(1), f(2), f(3), f(4)], [10, 10, 10, 10], 2);
    expect(parts.map((p) => p.map((x) => x.file))).toEqual([
      ["f1", "f2"],
      ["f3", "f4"],
    ]);
  });

  it("gives the same tables as one thread, keeping the last duplicate across parts", async () => {
    const one = await load("one", 1, false);
    const two = await load("two", 2, false);
    expect(one.rootFiles).toBe(1);
    expect(two.rootFiles).toBe(2); // one load file per worker: the parts really ran in parallel
    expect({ ...two, rootFiles: 1 }).toEqual(one);
    expect(two.rows).toHaveLength(15000);
    // ids 0..9999 appear twice: the later occurrence (seq = id + 15000) wins, with its own line
    expect(two.rows[0]).toEqual({ id: 0, seq: 15000, late: null });
    expect(two.rows[5000]).toEqual({ id: 5000, seq: 20000, late: "late-20000" });
    expect(two.lines.filter((l) => l.id === 0)).toEqual([{ id: 0, q: 15000 }]);
    expect(two.columns).toContain("late");
  });

  it("normalizes a package bigger than the part size in more parts than workers, with the same tables", async () => {
    const one = await load("one_p", 1, false);
    const parts = await load("parts", 2, false, { NORMALIZE__PART_MB: "4" });
    expect(parts.rootFiles).toBeGreaterThan(2); // one load file per part: more parts than the two workers
    expect({ ...parts, rootFiles: 1 }).toEqual(one);
  });

  it("falls back to one thread when parts disagree on a type, and routes values to a variant", async () => {
    const two = await load("conflict", 2, true);
    expect(two.rootFiles).toBe(1); // the parts were discarded and one thread did it all
    expect(two.columns).toEqual(expect.arrayContaining(["flag", "flag__v_text"]));
    expect(two.rows).toHaveLength(15000);
  });

  it("normalizes in one thread when an item is too big for a worker's heap, with the same tables", async () => {
    const warnings: string[] = [];
    const remove = addLogSink((r) => {
      if (r.level === "warn") warnings.push(r.message);
    });
    try {
      const one = await load("huge_one", 1, false, {}, true);
      const two = await load("huge_two", 2, false, {}, true);
      expect(warnings.some((w) => w.includes("ran out of its") && w.includes("in one thread"))).toBe(true);
      expect(two).toEqual(one);
      expect(two.rootFiles).toBe(1); // the workers' files went; one thread wrote them all
      expect(two.lines.filter((l) => l.id === -1)).toHaveLength(300_000);
    } finally {
      remove();
    }
  });
});
