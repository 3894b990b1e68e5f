import { spawn } from "node:child_process";
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Destination } from "../../src/destinations/destination.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { postgres } from "../../src/destinations/postgres/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { PG_URL, dropSchema, probePostgres } from "../destinations/pg-server.js";
import { emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

// kill -9 at seeded points of extract, normalize, load and the instants around the commit; each
// kill is followed by a clean rerun, which must leave exactly the data of an uninterrupted run.
// Named points are hit from inside the engine (SAGE_PIPELINE_CRASH_AT, the n-th page or staged
// job); timed points are a SIGKILL from this process a seeded number of ms after the run's
// extract ended (landing in normalize, load or the bookkeeping after it).
// The long form runs every point against DuckDB and against the Postgres server (PG_URL), each
// case in its own schema.

const LONG = process.env.SAGE_RELIABILITY === "long";
const SEED = 20261201;
const root = tempDir("sp-sigkill-");
const script = join(import.meta.dirname, "..", "fixtures", "crash-run.mjs");
const pgSkip = LONG ? await probePostgres() : "the Postgres form runs with SAGE_RELIABILITY=long";
const stamp = Date.now().toString(36);

/** Where a case's data lives: `<dir>/crashy.duckdb`, or schema `dataset` on the Postgres server. */
interface Target {
  name: "duckdb" | "postgres";
  /** The Postgres schema of the case in `dir` (undefined for DuckDB). */
  dataset(dir: string): string | undefined;
  destination(dir: string): Destination;
  /** Jobs a generation 2 package stages (the last `load_job_staged:<n>` there is). */
  stagedJobs: number;
}
const pgDatasets = new Set<string>();
const TARGETS: Target[] = [
  {
    name: "duckdb",
    dataset: () => undefined,
    destination: (dir) => duckdb({ credentials: join(dir, "crashy.duckdb") }),
    stagedJobs: 6,
  },
  ...(pgSkip
    ? []
    : [
        {
          name: "postgres" as const,
          dataset: (dir: string) => {
            const ds = `sigkill_${stamp}_${dir
              .split("/")
              .at(-1)!
              .replace(/[^a-z0-9]+/gi, "_")
              .toLowerCase()}`;
            pgDatasets.add(ds);
            return ds;
          },
          destination: () => postgres({ credentials: PG_URL }),
          // One COPY file per table: invoices, their lines, events, snapshot, log.
          stagedJobs: 5,
        },
      ]),
];
afterAll(async () => {
  for (const ds of pgDatasets) {
    await dropSchema(ds);
    await dropSchema(`${ds}_staging`);
  }
});

interface Child {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The last `step ...` line the run printed before it ended. */
  lastStep: string | undefined;
}

function runChild(
  target: Target,
  dir: string,
  gen: number,
  opts: { crashAt?: string; killAfterExtractMs?: number } = {},
): Promise<Child> {
  const dataset = target.dataset(dir);
  const env = {
    PATH: process.env.PATH ?? "",
    CRASH_GEN: String(gen),
    CRASH_TRACE: "1",
    SAGE_PIPELINE_CRASH_AT: opts.crashAt ?? "",
    ...(dataset ? { CRASH_PG_URL: PG_URL, CRASH_DATASET: dataset } : {}),
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

async function snapshot(target: Target, dir: string) {
  const p = new Pipeline({
    pipelineName: "crashy",
    datasetName: target.dataset(dir) ?? "data",
    config: emptyConfig(),
    destination: target.destination(dir),
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

describe.each(TARGETS)(
  `SIGKILL at ${incrementalPoints.length + firstLoadPoints.length + timedKills.length} points (seed ${SEED}), each followed by a rerun: $name`,
  (target) => {
    const at = (name: string) => join(root, `${target.name}-${name}`);
    const base = at("base");
    const ref1 = at("ref1");
    const ref2 = at("ref2");
    /** A case's folder holding generation 1, as `base` does: a copy of it (DuckDB), or a clean generation 1 run into the case's own schema. */
    const fromBase = async (dir: string) => {
      if (target.name === "duckdb") cpSync(base, dir, { recursive: true });
      else {
        mkdirSync(dir);
        expect((await runChild(target, dir, 1)).status).toBe(0);
      }
    };
    let expected1: Awaited<ReturnType<typeof snapshot>>;
    let expected2: Awaited<ReturnType<typeof snapshot>>;
    const hit: Record<string, number> = {};

    it("uninterrupted runs of generations 1 and 2 are the reference", async () => {
      mkdirSync(base);
      expect((await runChild(target, base, 1)).status).toBe(0);
      if (target.name === "duckdb") cpSync(base, ref1, { recursive: true });
      else {
        mkdirSync(ref1);
        expect((await runChild(target, ref1, 1)).status).toBe(0);
      }
      await fromBase(ref2);
      expect((await runChild(target, ref2, 2)).status).toBe(0);
      expected1 = await snapshot(target, ref1);
      expected2 = await snapshot(target, ref2);
      expect(expected1.invoices).toHaveLength(50);
      expect(expected2.invoices).toHaveLength(60);
      expect(expected2.events).toHaveLength(40);
      expect(expected2.snapshot).toHaveLength(3);
      expect(expected2.orphanLines.map((r) => Number(r.n))).toEqual([0]);
    });

    const verify = async (dir: string, gen: number, crashed: Child) => {
      expect(crashed.signal, `exit ${String(crashed.status)}: ${crashed.stderr}${crashed.stdout.slice(0, 2000)}`).toBe("SIGKILL");
      hit[crashed.lastStep ?? "before extract ended"] = (hit[crashed.lastStep ?? "before extract ended"] ?? 0) + 1;
      const rerun = await runChild(target, dir, gen);
      expect(rerun.status, rerun.stderr).toBe(0);
      expect(await snapshot(target, dir)).toEqual(gen === 1 ? expected1 : expected2);
    };

    const reachable = (point: string) =>
      !point.startsWith("load_job_staged:") || Number(point.split(":")[1]) <= target.stagedJobs;
    for (const point of incrementalPoints.filter(reachable)) {
      it(`generation 2, killed at ${point}`, async () => {
        const dir = at(`inc-${point.replace(":", "-")}`);
        await fromBase(dir);
        await verify(dir, 2, await runChild(target, dir, 2, { crashAt: point }));
      });
    }
    for (const point of firstLoadPoints) {
      it(`generation 1 (first load), killed at ${point}`, async () => {
        const dir = at(`first-${point.replace(":", "-")}`);
        mkdirSync(dir);
        await verify(dir, 1, await runChild(target, dir, 1, { crashAt: point }));
      });
    }
    for (const [i, ms] of timedKills.entries()) {
      it(`generation 2, killed ${ms} ms after extract ended (timed point ${i + 1})`, async () => {
        const dir = at(`timed-${i}`);
        await fromBase(dir);
        const crashed = await runChild(target, dir, 2, { killAfterExtractMs: ms });
        if (crashed.status === 0) {
          // The run ended before the kill (a fast machine): still a valid, uninterrupted run.
          expect(await snapshot(target, dir)).toEqual(expected2);
          return;
        }
        await verify(dir, 2, crashed);
      });
    }

    it("reports where the timed kills landed", () => {
      // For RELIABILITY.md: the last step each killed run reported.
      process.stdout.write(`sigkill (${target.name}): last step before each kill: ${JSON.stringify(hit)}\n`);
      expect(Object.keys(hit).length).toBeGreaterThan(0);
    });
  },
);
