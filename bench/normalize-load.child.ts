/**
 * One measured side of bench/normalize-load.bench.ts, alone in its process so that its CPU
 * seconds are its own (getrusage: every thread, DuckDB's and normalize workers' included) and no
 * heap or cache is left over from the other side. Prints one JSON line.
 *
 *   floor: DuckDB's own `read_json` of the raw records into one table of a fresh database.
 *   ours:  normalize + load of a copy of an extracted package, with the build whose `src/` folder
 *          is `build` (this build's by default; the bench passes another to measure it beside).
 */
import { cpSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type * as ConfigModule from "../src/config/index.js";
import type * as DuckdbModule from "../src/destinations/duckdb/index.js";
import type * as PipelineModule from "../src/pipeline/index.js";

export type ChildArgs =
  { side: "floor"; raw: string; db: string } | { side: "ours"; build: string; template: string; dir: string };

export interface Step {
  wall: number;
  /** User + system seconds of the whole process during the step. */
  cpu: number;
}

export type ChildResult = { side: "floor"; floor: Step } | { side: "ours"; normalize: Step; load: Step };

async function step(fn: () => Promise<unknown>): Promise<Step> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

async function floor(raw: string, db: string): Promise<ChildResult> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const inst = await DuckDBInstance.create(db);
  const c = await inst.connect();
  const s = await step(() => c.run(`CREATE TABLE invoices AS SELECT * FROM read_json('${raw}', format = 'newline_delimited')`));
  c.closeSync();
  inst.closeSync();
  return { side: "floor", floor: s };
}

async function ours(build: string, template: string, dir: string): Promise<ChildResult> {
  const url = (p: string) => pathToFileURL(join(resolve(build), p)).href;
  const { ConfigResolver, EnvProvider } = (await import(url("config/index.js"))) as typeof ConfigModule;
  const { duckdb } = (await import(url("destinations/duckdb/index.js"))) as typeof DuckdbModule;
  const { Pipeline } = (await import(url("pipeline/index.js"))) as typeof PipelineModule;
  // The extracted package, copied so that every round normalizes the same bytes from scratch.
  cpSync(template, join(dir, "pipelines"), { recursive: true });
  const p = new Pipeline({
    pipelineName: "bench",
    datasetName: "data",
    destination: duckdb({ credentials: join(dir, "bench.duckdb") }),
    pipelinesDir: join(dir, "pipelines"),
    config: new ConfigResolver([new EnvProvider({})]),
  });
  const normalize = await step(() => p.normalize());
  const load = await step(() => p.load());
  return { side: "ours", normalize, load };
}

const a = JSON.parse(process.argv[2] ?? "{}") as ChildArgs;
const r = a.side === "floor" ? await floor(a.raw, a.db) : await ours(a.build, a.template, a.dir);
process.stdout.write(`${JSON.stringify(r)}\n`);
