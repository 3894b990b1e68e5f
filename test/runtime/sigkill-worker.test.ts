import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import {
  type RuntimeEnv,
  cli,
  datasetSnapshot,
  dropSchemas,
  probePostgres,
  runtimeEnv,
  startCli,
  waitForJobs,
} from "./runtime-helpers.js";

const skip = await probePostgres();

/**
 * Exactly-once under SIGKILL: two workers on one queue and one Postgres dataset, one killed
 * mid-job; after the job's lease lapses the other worker takes it, and the dataset ends exactly
 * as one uninterrupted worker left its own (row counts and (business_id, id) key sets per table).
 */
describe.skipIf(skip !== undefined)(`a worker killed mid-job${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let sb: Sandbox;
  const envs: RuntimeEnv[] = [];
  // Short leases so the killed worker's job comes back within seconds.
  const fast = { RUNTIME__JOB_LEASE_SECONDS: "4", RUNTIME__JOB_RETRY_LIMIT: "3" };

  beforeAll(async () => {
    // A little latency so that a job takes long enough to be killed in the middle of it.
    sb = await startSandbox({ port: 0, businesses: 3, scale: 0.03, seed: 23, latencyMs: 15 });
  });
  afterAll(async () => {
    await sb.close();
    for (const r of envs) await dropSchemas(r.queueSchema, r.dataset);
  });

  it("ends with the same data as an uninterrupted run, no duplicate, nothing lost", async () => {
    const reference = runtimeEnv(sb, fast);
    envs.push(reference);
    expect((await cli(["enqueue"], reference)).status).toBe(0);
    const solo = startCli(["worker"], reference);
    await waitForJobs(reference.queueSchema, (s) => s.completed === 3);
    solo.child.kill("SIGTERM");
    expect((await solo.done).status).toBe(0);
    const expected = await datasetSnapshot(reference.dataset);
    expect(expected.sales_invoices?.keys?.length).toBe(
      sb.store.businesses.reduce((n, b) => n + sb.store.count(b.id, "sales_invoices"), 0),
    );

    const r = runtimeEnv(sb, fast);
    envs.push(r);
    expect((await cli(["enqueue"], r)).status).toBe(0);
    const victim = startCli(["worker", "--log-level", "info"], r);
    // The victim takes the first job before the survivor is up; kill it while that job runs.
    await victim.saw(/job \S+ \(business \w+, attempt 1\): started/);
    await victim.saw(/GET .*\/sales_invoices/);
    const survivor = startCli(["worker", "--log-level", "info"], r);
    victim.child.kill("SIGKILL");
    expect((await victim.done).signal).toBe("SIGKILL");
    expect(victim.stderr()).not.toMatch(/: done in/);

    const settled = await waitForJobs(r.queueSchema, (s) => s.completed === 3);
    expect(settled).toEqual({ completed: 3 });
    survivor.child.kill("SIGTERM");
    expect((await survivor.done).status, survivor.stderr()).toBe(0);
    // The killed job came back to the survivor as a second attempt.
    expect(survivor.stderr()).toMatch(/attempt 2\): done in/);

    expect(await datasetSnapshot(r.dataset)).toEqual(expected);
  }, 85_000);
});
