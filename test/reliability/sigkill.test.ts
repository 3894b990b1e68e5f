import { spawn } from "node:child_process";
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

// kill -9 at seeded points of extract, normalize, load and the instants around the commit; each
// kill is followed by a clean rerun, which must leave exactly the data of an uninterrupted run.
// Named points are hit from inside the engine (SAGE_PIPELINE_CRASH_AT, the n-th page or staged
// job); timed points are a SIGKILL from this process a seeded number of ms after the run's
// extract ended (landing in normalize, load or the bookkeeping after it).

const LONG = process.env.SAGE_RELIABILITY === "long";
const SEED = 20261201;
const root = tempDir("sp-sigkill-");
const script = join(import.meta.dirname, "..", "fixtures", "crash-run.mjs");

interface Child {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The last `step ...` line the run printed before it ended. */
  lastStep: string | undefined;
}

function runChild(dir: string, gen: number, opts: { crashAt?: string; killAfterExtractMs?: number } = {}): Promise<Child> {
  const env = {
    PATH: process.env.PATH ?? "",
    CRASH_GEN: String(gen),
    CRASH_TRACE: "1",
    SAGE_PIPELINE_CRASH_AT: opts.crashAt ?? "",
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, dir], { env });
    let stdout = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (opts.killAfterExtractMs !== undefined && !timer && stderr.includes("step extract")) {
        timer = setTimeout(() => child.kill("SIGKILL"), opts.killAfterExtractMs);
      }
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      const steps = stderr.match(/^step \w+$/gm) ?? [];
      resolve({ status, signal, stdout, stderr, lastStep: steps.at(-1) });
    });
  });
}

async function snapshot(dir: string) {
  const p = new Pipeline({
    pipelineName: "crashy",
    datasetName: "data",
    config: emptyConfig(),
    destination: duckdb({ credentials: join(dir, "crashy.duckdb") }),
    pipelinesDir: join(dir, "pipelines_reader"),
    restoreFromDestination: false,
  });
  const q = (sql: string) => p.dataset().sql(sql).rows();
  return {
    invoices: await q("select id, updated_at, total from invoices order by id"),
    lines: await q(
      "select i.id, l.sku, l.qty from invoices i join invoices__lines l on l._dlt_root_id = i._dlt_id order by i.id, l.sku",
    ),
    orphanLines: await q(
      "select count(*) as n from invoices__lines l where l._dlt_root_id not in (select _dlt_id from invoices)",
    ),
    events: await q("select seq, kind from events order by seq"),
    snapshot: await q("select k, v from snapshot order by k"),
    log: await q("select line from log order by line"),
    uncommitted: await q("select count(*) as n from invoices where _dlt_load_id not in (select load_id from _dlt_loads)"),
  };
}

/** A small seeded PRNG (mulberry32), so the timed points are the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Generation 2 over a dataset holding generation 1 (merge updates, appends, a replace): the
// incremental path. The invoices come in 6 pages, and a package has 6 jobs to stage.
const incrementalPoints = [
  "extract_page:1",
  "extract_page:4",
  "extract_page:5",
  "before_extract_commit",
  "after_extract",
  "before_normalize_commit",
  "after_normalize",
  "load_job_staged:1",
  "load_job_staged:3",
  "load_job_staged:5",
  "after_load_commit",
  "load_jobs_completed",
  "after_load_rename",
  ...(LONG ? ["extract_page:2", "extract_page:3", "load_job_staged:2", "load_job_staged:4", "load_job_staged:6"] : []),
];
// Generation 1 into an empty dataset: the first load (tables created inside the transaction).
const firstLoadPoints = [
  "extract_page:2",
  "after_extract",
  "load_job_staged:2",
  "after_load_commit",
  "after_load_rename",
  ...(LONG ? ["before_extract_commit", "before_normalize_commit", "load_jobs_completed"] : []),
];
const random = prng(SEED);
const timedKills = Array.from({ length: LONG ? 12 : 2 }, () => Math.round(random() * 600));

describe(`SIGKILL at ${incrementalPoints.length + firstLoadPoints.length + timedKills.length} points (seed ${SEED}), each followed by a rerun`, () => {
  const base = join(root, "base");
  const ref1 = join(root, "ref1");
  const ref2 = join(root, "ref2");
  let expected1: Awaited<ReturnType<typeof snapshot>>;
  let expected2: Awaited<ReturnType<typeof snapshot>>;
  const hit: Record<string, number> = {};

  it("uninterrupted runs of generations 1 and 2 are the reference", async () => {
    mkdirSync(base);
    expect((await runChild(base, 1)).status).toBe(0);
    cpSync(base, ref1, { recursive: true });
    cpSync(base, ref2, { recursive: true });
    expect((await runChild(ref2, 2)).status).toBe(0);
    expected1 = await snapshot(ref1);
    expected2 = await snapshot(ref2);
    expect(expected1.invoices).toHaveLength(50);
    expect(expected2.invoices).toHaveLength(60);
    expect(expected2.events).toHaveLength(40);
    expect(expected2.snapshot).toHaveLength(3);
    expect(expected2.orphanLines).toEqual([{ n: 0 }]);
  });

  const verify = async (dir: string, gen: number, crashed: Child) => {
    expect(crashed.signal, crashed.stderr).toBe("SIGKILL");
    hit[crashed.lastStep ?? "before extract ended"] = (hit[crashed.lastStep ?? "before extract ended"] ?? 0) + 1;
    const rerun = await runChild(dir, gen);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(await snapshot(dir)).toEqual(gen === 1 ? expected1 : expected2);
  };

  for (const point of incrementalPoints) {
    it(`generation 2, killed at ${point}`, async () => {
      const dir = join(root, `inc-${point.replace(":", "-")}`);
      cpSync(base, dir, { recursive: true });
      await verify(dir, 2, await runChild(dir, 2, { crashAt: point }));
    });
  }
  for (const point of firstLoadPoints) {
    it(`generation 1 (first load), killed at ${point}`, async () => {
      const dir = join(root, `first-${point.replace(":", "-")}`);
      mkdirSync(dir);
      await verify(dir, 1, await runChild(dir, 1, { crashAt: point }));
    });
  }
  for (const [i, ms] of timedKills.entries()) {
    it(`generation 2, killed ${ms} ms after extract ended (timed point ${i + 1})`, async () => {
      const dir = join(root, `timed-${i}`);
      cpSync(base, dir, { recursive: true });
      const crashed = await runChild(dir, 2, { killAfterExtractMs: ms });
      if (crashed.status === 0) {
        // The run ended before the kill (a fast machine): still a valid, uninterrupted run.
        expect(await snapshot(dir)).toEqual(expected2);
        return;
      }
      await verify(dir, 2, crashed);
    });
  }

  it("reports where the timed kills landed", () => {
    // For RELIABILITY.md: the last step each killed run reported.
    process.stdout.write(`sigkill: last step before each kill: ${JSON.stringify(hit)}\n`);
    expect(Object.keys(hit).length).toBeGreaterThan(0);
  });
});
