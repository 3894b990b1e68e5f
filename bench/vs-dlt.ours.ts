/**
 * This project's side of bench/vs-dlt.bench.ts, run in its own process (so its peak RSS is its
 * own): the seed's Sage resources from the sandbox into DuckDB, step by step. Reads one JSON
 * argument and prints one JSON line (wall and CPU seconds per step, rows per table, peak RSS).
 */
import { subscribe } from "node:diagnostics_channel";
import { ConfigResolver, EnvProvider } from "../src/config/index.js";
import { duckdb } from "../src/destinations/duckdb/index.js";
import { Pipeline } from "../src/pipeline/index.js";
import { sageAccountingSource } from "../src/sage/index.js";
import { time } from "./lib.js";

export interface SideArgs {
  url: string;
  token: string;
  business: string;
  resources: string[];
  db: string;
  pipelines_dir: string;
}

export interface SideResult {
  seconds: { extract: number; normalize: number; load: number };
  cpu: { extract: number; normalize: number; load: number };
  rows: Record<string, number>;
  peak_rss_kb: number;
  /** Seconds from the start of the extract step to the first HTTP request sent (null: none was). */
  first_request_s: number | null;
}

const a = JSON.parse(process.argv[2] ?? "{}") as SideArgs;
const config = new ConfigResolver([new EnvProvider({})]);
const p = new Pipeline({
  pipelineName: "vs_dlt",
  datasetName: "sage",
  destination: duckdb({ credentials: a.db }),
  pipelinesDir: a.pipelines_dir,
  config,
});
const source = sageAccountingSource(
  { baseUrl: `${a.url}/v3.1`, accessToken: a.token, businesses: [a.business], resources: a.resources },
  config,
);
/** Wall and CPU seconds of one step; cpuUsage covers every thread of the process (normalize workers, DuckDB). */
async function step<T>(fn: () => Promise<T>): Promise<{ seconds: number; cpu: number; value: T }> {
  const c0 = process.cpuUsage();
  const r = await time(fn);
  const c = process.cpuUsage(c0);
  return { ...r, cpu: (c.user + c.system) / 1e6 };
}

// Node's fetch (undici) announces every request it creates on this channel.
let firstRequestAt: number | undefined;
subscribe("undici:request:create", () => {
  firstRequestAt ??= performance.now();
});
const extractStart = performance.now();
const extract = await step(() => p.extract(source));
const normalize = await step(() => p.normalize());
const load = await step(() => p.load());
const result: SideResult = {
  seconds: { extract: extract.seconds, normalize: normalize.seconds, load: load.seconds },
  cpu: { extract: extract.cpu, normalize: normalize.cpu, load: load.cpu },
  rows: normalize.value.rowCounts,
  // resourceUsage().maxRSS is getrusage's ru_maxrss in kilobytes, as Python's resource module reports it.
  peak_rss_kb: process.resourceUsage().maxRSS,
  first_request_s: firstRequestAt === undefined ? null : (firstRequestAt - extractStart) / 1000,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
