import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/index.js";
import { PgBossQueue } from "../../src/runtime/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import {
  PG_URL,
  type RuntimeEnv,
  cli,
  datasetSnapshot,
  dropSchemas,
  jobStates,
  probePostgres,
  runtimeEnv,
  startCli,
  waitForJobs,
} from "./runtime-helpers.js";

const skip = await probePostgres();

/**
 * The queue through the built CLI: `enqueue` puts one job per business, a `worker` runs them
 * into one Postgres dataset, a failing business is retried and parked with its reason while
 * the others load, `jobs` shows it all, SIGTERM ends the worker with 0, and DuckDB refuses a
 * second worker.
 */
describe.skipIf(skip !== undefined)(`queue, worker, enqueue and jobs${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let sb: Sandbox;
  let r: RuntimeEnv;

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 3, scale: 0.03, seed: 11 });
    r = runtimeEnv(sb);
  });
  afterAll(async () => {
    await sb.close();
    await dropSchemas(r.queueSchema, r.dataset);
  });

  it("enqueue refuses an unknown business id with the ones the login can see (exit 2)", async () => {
    const res = await cli(["enqueue", "--businesses", "nope"], r);
    expect(res.status, res.stderr).toBe(2);
    expect(res.stderr).toContain("unknown Sage business id(s): nope");
    expect(res.stderr).toContain(sb.store.businesses[0]!.id);
  });

  it("a worker loads every business into one dataset; a failing job is retried, then parked with its reason", async () => {
    const enq = await cli(["enqueue", "--businesses", "all", "--json"], r);
    expect(enq.status, enq.stderr).toBe(0);
    const ids = JSON.parse(enq.stdout) as Array<{ id: string; businessId: string }>;
    expect(ids.map((j) => j.businessId).sort()).toEqual(sb.store.businesses.map((b) => b.id).sort());
    expect(await jobStates(r.queueSchema)).toEqual({ created: 3 });

    // A job for a business the login cannot see: it fails on every attempt, and blocks nobody.
    const queue = new PgBossQueue({
      url: new Secret(PG_URL),
      schema: r.queueSchema,
      leaseSeconds: 60,
      retryLimit: 1,
      retryDelaySeconds: 1,
      maintenanceIntervalSeconds: 1,
      runSchedules: false,
    });
    await queue.start();
    await queue.enqueue([
      {
        login: "access_token",
        businessId: "0000dead",
        businessName: "Gone Ltd",
        pipelineName: "sage_accounting_pipeline",
        datasetName: r.dataset,
        origin: "test",
      },
    ]);
    await queue.stop();

    const worker = startCli(["worker", "--log-level", "info"], r);
    const settled = await waitForJobs(r.queueSchema, (s) => s.completed === 3 && s.failed === 1);
    expect(settled).toEqual({ completed: 3, failed: 1 });
    worker.child.kill("SIGTERM");
    const end = await worker.done;
    expect(end.status, worker.stderr()).toBe(0);

    const jobs = await cli(["jobs", "--json"], r);
    expect(jobs.status, jobs.stderr).toBe(0);
    const listed = JSON.parse(jobs.stdout) as Array<{
      state: string;
      businessId: string;
      attempts: number;
      lastError?: string;
      durationMs?: number;
    }>;
    const failed = listed.find((j) => j.state === "failed");
    expect(failed?.businessId).toBe("0000dead");
    expect(failed?.attempts).toBe(2);
    expect(failed?.lastError).toContain("unknown Sage business id(s): 0000dead");
    for (const j of listed.filter((x) => x.state === "done")) expect(j.durationMs).toBeGreaterThan(0);
    expect(jobs.stdout).not.toContain(r.env.SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN);
    const text = await cli(["jobs"], r);
    expect(text.stdout.split("\n")[0]).toBe("1 failed, 3 done");
    expect(text.stdout).toMatch(
      /failed +Gone Ltd \(0000dead\) +attempts 2\/2 .*last error: .*unknown Sage business id\(s\): 0000dead/,
    );

    const data = await datasetSnapshot(r.dataset);
    for (const resource of ["contacts", "sales_invoices", "products"]) {
      const expected = sb.store.businesses.flatMap((b) =>
        sb.store.records(b.id, resource).map((rec) => `${b.id}/${String(rec.id)}`),
      );
      expect(data[resource]?.keys, resource).toEqual(expected.sort());
    }
  }, 120_000);

  it("DuckDB refuses a second worker with a clear message (exit 2)", async () => {
    const first = startCli(["worker", "--log-level", "info"], r);
    await first.saw("on queue schema");
    const second = await cli(["worker", "--destination", "duckdb"], r);
    expect(second.status, second.stderr).toBe(2);
    expect(second.stderr).toContain("duckdb takes one writer at a time");
    expect(second.stderr).toContain("load into Postgres");
    first.child.kill("SIGTERM");
    expect((await first.done).status).toBe(0);
  }, 60_000);
});
