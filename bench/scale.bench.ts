import { loadavg } from "node:os";
import { isDeepStrictEqual } from "node:util";
import { countRequests, startSandbox } from "../src/sandbox/index.js";
import { probePostgres } from "../test/destinations/pg-server.js";
import { type ScaleRun, type ScaleSettings, runScale } from "../test/runtime/scale-run.js";
import { type BenchResult, fmt } from "./lib.js";
import { CLI } from "./sandbox-process.js";

const BUSINESSES = Number(process.env.BENCH_SCALE_BUSINESSES ?? 40);
const SCALE = 0.005;
const LATENCY_MS = 100;
/**
 * A cap the workers can reach: one job at a time per worker, and a job of three resources has
 * about three requests in flight, so 150 (Sage's) would never bind below 50 workers and the ideal
 * would say nothing. Each worker may use the whole cap on its own.
 */
const CAP = 8;
const SETTINGS: ScaleSettings = { appCap: CAP, workerConcurrency: CAP, jobLeaseSeconds: 60, timeoutMs: 900_000, bin: CLI };
const WORKERS = [1, 2, 4];

/**
 * Wall time of the same queue of business jobs run by 1, 2 and 4 worker processes (one Postgres
 * dataset each time, a fresh queue), beside the floor the shared limit sets: every request takes
 * the sandbox's latency and at most CAP are in flight, so no number of workers can beat
 * requests / CAP × latency. What stays above it is each job's own work (the pipeline's extract,
 * normalize and Postgres load, the token refreshes) on a shared 2-core machine.
 */
export default async function run(): Promise<BenchResult> {
  const skip = await probePostgres();
  if (skip) throw new Error(`the scale bench needs Postgres: ${skip}`);
  const sb = await startSandbox({
    port: 0,
    businesses: BUSINESSES,
    scale: SCALE,
    seed: 97,
    latencyMs: LATENCY_MS,
    maxConcurrent: CAP,
    accessTokenTtlSeconds: 10,
  });
  const loadBefore = loadavg()[0] ?? 0;
  const runs: ScaleRun[] = [];
  // The machine is shared: the load at each run's start says how comparable the runs are.
  const loads: number[] = [];
  try {
    for (const n of WORKERS) {
      process.stderr.write(`  ${n} worker(s)...\n`);
      loads.push(loadavg()[0] ?? 0);
      runs.push(await runScale(sb, n, false, SETTINGS));
    }
  } finally {
    await sb.close();
  }
  const loadAfter = loadavg()[0] ?? 0;
  const base = runs[0] as ScaleRun;
  const rows = runs.map((r, i) => {
    const ideal = (r.apiRequests / CAP) * (LATENCY_MS / 1000);
    const same = isDeepStrictEqual(r.data, base.data) ? "yes" : "**differs!**";
    const throttled = countRequests(r.stats, { status: 429 });
    // A worker's time per job: what each job costs once the machine is shared by r.workers of them.
    const perJob = (r.seconds * r.workers) / BUSINESSES;
    return `| ${r.workers} | ${fmt(r.apiRequests)} | ${fmt(r.seconds, 1)} s | ${fmt(ideal, 1)} s | ${fmt(r.seconds / ideal, 1)}x | **${fmt(base.seconds / r.seconds, 2)}x** | ${fmt(perJob, 1)} s | ${r.stats.maxConcurrency} of ${CAP} | ${throttled} | ${r.stats.tokensRefreshed} / ${r.stats.refreshTokensReused} | ${same} | ${fmt(loads[i] ?? 0, 1)} |`;
  });
  const tables = Object.entries(base.data)
    .map(([t, v]) => `${t} ${fmt(v.rows)}`)
    .join(", ");
  return {
    title: "Workers sharing one app limit (the scale scenario)",
    markdown: [
      `${BUSINESSES} businesses (sandbox scale ${SCALE}: contacts, sales invoices, products), ${LATENCY_MS} ms latency on every request, the sandbox enforcing ${CAP} concurrent requests (429 past it), one job per business on a pg-boss queue, worker processes (\`sage-pipeline worker\`) loading one Postgres dataset, access tokens living 10 s (refreshed through the shared token store). One sandbox, the three runs one after the other. **Ideal** = API requests / ${CAP} × ${LATENCY_MS} ms, the floor the shared limit sets; the speed-up is against 1 worker in this run; worker time per job = wall time × workers / jobs (one business's pipeline run: extract, normalize, the Postgres load, on the shared machine).`,
      "",
      "| workers | API requests | wall time | ideal (shared limit) | wall / ideal | speed-up | worker time per job | peak in flight | 429s | refreshes / reused | same tables as 1 worker | load at start |",
      "|---|---|---|---|---|---|---|---|---|---|---|---|",
      ...rows,
      "",
      `Tables (every run): ${tables}. Load average (1 min) ${fmt(loadBefore, 1)} before, ${fmt(loadAfter, 1)} after, on a 2-core machine other jobs share: the speed-ups are only as comparable as the loads at each run's start.`,
    ].join("\n"),
  };
}
