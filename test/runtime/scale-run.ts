import { countRequests, type Sandbox, type SandboxStatsSnapshot } from "../../src/sandbox/index.js";
import { BIN } from "../e2e/cli-helpers.js";
import {
  type Proc,
  type RuntimeEnv,
  cli,
  datasetSnapshot,
  dropSchemas,
  runtimeEnv,
  startCli,
  waitForJobs,
} from "./runtime-helpers.js";

/** One scale run's shape; the short form (npm test) and the long form (test:scale, the bench) differ only in these. */
export interface ScaleSettings {
  /** Requests the app may have in flight across every worker (the sandbox answers 429 past it). */
  appCap: number;
  /** Each worker's own cap (the Sage source's max_concurrency): together above appCap, so the shared limit is what holds. */
  workerConcurrency: number;
  /** A job still running this long is handed to another worker: the killed worker's job comes back after it. */
  jobLeaseSeconds: number;
  /** How long to wait for every job to settle. */
  timeoutMs: number;
  /** The built CLI's main.js (the benchmarks are compiled elsewhere). */
  bin?: string;
}

export interface ScaleRun {
  workers: number;
  /** A worker was killed with SIGKILL while it ran a job. */
  killed: boolean;
  /** From the first worker's start to the last job completed (polled every 250 ms). */
  seconds: number;
  /** Every request the sandbox answered during the run (API and token). */
  requests: number;
  /** v3.1 requests only (the ones the latency and the concurrency cap apply to). */
  apiRequests: number;
  stats: SandboxStatsSnapshot;
  /** Per data table: row count and sorted (business_id, id) keys. */
  data: Record<string, { rows: number; keys?: string[] }>;
  /** Worker stderr, for a failing assertion's message. */
  logs: string;
}

const JOB_LINE = /job \S+ \(business \w+, attempt \d+\): (started|done in)/g;

/** Whether a worker's log shows it inside a job now (its last job line is a start). */
function inJob(p: Proc): boolean {
  const lines = [...p.stderr().matchAll(JOB_LINE)];
  return lines.at(-1)?.[1] === "started";
}

/**
 * The scale scenario against one sandbox: one job per business on a fresh queue and dataset
 * (names `scale_...`), `workers` worker processes, the sandbox's stats reset after the enqueue
 * (whose listing is outside the shared limit). With `kill`, once a quarter of the jobs are done
 * the first worker is killed with SIGKILL in the middle of a job; the others finish its job after
 * the lease. The caller asserts; the schemas are dropped afterwards whatever happened.
 */
export async function runScale(sb: Sandbox, workers: number, kill: boolean, s: ScaleSettings): Promise<ScaleRun> {
  const bin = s.bin ?? BIN;
  const total = sb.store.businesses.length;
  const r: RuntimeEnv = runtimeEnv(
    sb,
    {
      RUNTIME__APP_MAX_CONCURRENCY: String(s.appCap),
      SOURCES__SAGE_ACCOUNTING_SOURCE__MAX_CONCURRENCY: String(s.workerConcurrency),
      RUNTIME__JOB_LEASE_SECONDS: String(s.jobLeaseSeconds),
      // A killed worker's request slots come back this soon (its requests took 100 ms, not seconds).
      RUNTIME__SLOT_LEASE_SECONDS: "5",
      RUNTIME__JOB_RETRY_LIMIT: "3",
      RUNTIME__LOG_LEVEL: "info",
    },
    "refresh-token",
    "scale_",
  );
  const procs: Proc[] = [];
  try {
    const enq = await cli(["enqueue"], r, {}, bin);
    if (enq.status !== 0) throw new Error(`enqueue failed (${String(enq.status)}): ${enq.stderr}`);
    sb.resetStats();
    const t0 = Date.now();
    for (let i = 0; i < workers; i++) procs.push(startCli(["worker"], r, {}, bin));
    if (kill) {
      const victim = procs[0] as Proc;
      await waitForJobs(r.queueSchema, (st) => (st.completed ?? 0) >= Math.max(1, Math.floor(total / 4)), s.timeoutMs);
      const t1 = Date.now();
      while (!inJob(victim)) {
        if (Date.now() - t1 > 30_000) throw new Error(`the worker to kill never started another job:\n${victim.stderr()}`);
        await new Promise((res) => setTimeout(res, 20));
      }
      victim.child.kill("SIGKILL");
      const end = await victim.done;
      if (end.signal !== "SIGKILL") throw new Error(`the killed worker ended with ${JSON.stringify(end)}`);
    }
    const settled = await waitForJobs(
      r.queueSchema,
      (st) => (st.completed ?? 0) + (st.failed ?? 0) === total && !st.created && !st.active && !st.retry,
      s.timeoutMs,
    );
    const seconds = (Date.now() - t0) / 1000;
    if (settled.completed !== total) throw new Error(`jobs ended ${JSON.stringify(settled)}, expected ${total} completed`);
    const live = kill ? procs.slice(1) : procs;
    for (const p of live) p.child.kill("SIGTERM");
    for (const p of live) {
      const end = await p.done;
      if (end.status !== 0) throw new Error(`a worker exited ${String(end.status)} on SIGTERM:\n${p.stderr()}`);
    }
    const stats = sb.stats;
    return {
      workers,
      killed: kill,
      seconds,
      requests: stats.totalRequests,
      apiRequests: countRequests(stats, { pathPrefix: "/v3.1" }),
      stats,
      data: await datasetSnapshot(r.dataset),
      logs: procs.map((p, i) => `--- worker ${i}\n${p.stderr()}`).join("\n"),
    };
  } finally {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await Promise.all(procs.map((p) => p.done));
    await dropSchemas(r.queueSchema, r.dataset);
  }
}

/** The (business_id, id) keys of `resource` the sandbox holds, sorted: what a complete load must have. */
export function sandboxKeys(sb: Sandbox, resource: string): string[] {
  return sb.store.businesses.flatMap((b) => sb.store.records(b.id, resource).map((rec) => `${b.id}/${String(rec.id)}`)).sort();
}
