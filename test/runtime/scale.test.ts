import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRequests, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { probePostgres } from "./runtime-helpers.js";
import { type ScaleRun, type ScaleSettings, runScale, sandboxKeys } from "./scale-run.js";

const skip = await probePostgres();

/**
 * The long form (`npm run test:scale`) is the issue's scenario: 200 businesses, 150 concurrent
 * requests allowed. The short form (in `npm test`) keeps its shape with fewer, smaller businesses
 * and a cap of 4, which 4 workers allowed 3 requests each would pass without the shared limit.
 */
const LONG = process.env.SAGE_SCALE === "long";
const SIZE = LONG ? { businesses: 200, scale: 0.01 } : { businesses: 8, scale: 0.005 };
const SETTINGS: ScaleSettings = LONG
  ? { appCap: 150, workerConcurrency: 60, jobLeaseSeconds: 60, timeoutMs: 1_800_000 }
  : { appCap: 4, workerConcurrency: 3, jobLeaseSeconds: 8, timeoutMs: 90_000 };

/**
 * Many workers, one app: the sandbox with 100 ms latency enforcing the app's concurrency cap
 * (429 past it, and it reports the most requests it saw in flight), 1, 2 and 4 worker processes
 * against one Postgres dataset each time, one worker killed with SIGKILL mid-job in the 4-worker
 * run. Every run must end with exactly the data of the uninterrupted 1-worker run (per table the
 * row count and the (business_id, id) keys), which holds every record the sandbox has; the sandbox
 * never sees more than the cap in flight, and no rotated refresh token is ever sent again (access
 * tokens live 2 s, so the workers refresh through the shared token store many times).
 */
describe.skipIf(skip !== undefined)(
  `scale: ${SIZE.businesses} businesses, 1/2/4 workers${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let sb: Sandbox;
    const runs: ScaleRun[] = [];

    beforeAll(async () => {
      sb = await startSandbox({
        port: 0,
        ...SIZE,
        seed: 211,
        latencyMs: 100,
        maxConcurrent: SETTINGS.appCap,
        accessTokenTtlSeconds: 2,
      });
    });
    afterAll(async () => {
      await sb.close();
    });

    const check = (run: ScaleRun) => {
      const why = `${run.workers} workers${run.killed ? " (one killed)" : ""}:\n${run.logs.slice(-4000)}`;
      expect(run.stats.maxConcurrency, why).toBeLessThanOrEqual(SETTINGS.appCap);
      expect(countRequests(run.stats, { status: 429 }), why).toBe(0);
      expect(run.stats.refreshTokensReused, why).toBe(0);
      expect(countRequests(run.stats, { path: "/oauth/token", status: 400 }), why).toBe(0);
      expect(run.stats.tokensRefreshed, why).toBeGreaterThanOrEqual(1);
    };

    it(
      "one worker loads every record of every business",
      async () => {
        const run = await runScale(sb, 1, false, SETTINGS);
        runs.push(run);
        check(run);
        for (const resource of ["contacts", "sales_invoices", "products"]) {
          expect(run.data[resource]?.keys, resource).toEqual(sandboxKeys(sb, resource));
        }
        expect(run.data.sales_invoices__invoice_lines?.rows).toBeGreaterThan(0);
      },
      SETTINGS.timeoutMs + 30_000,
    );

    it(
      "two workers end with exactly the same tables",
      async () => {
        const run = await runScale(sb, 2, false, SETTINGS);
        runs.push(run);
        check(run);
        expect(run.data).toEqual(runs[0]?.data);
      },
      SETTINGS.timeoutMs + 30_000,
    );

    it(
      "four workers, one killed with SIGKILL mid-job, end with exactly the same tables",
      async () => {
        const run = await runScale(sb, 4, true, SETTINGS);
        runs.push(run);
        check(run);
        expect(run.data).toEqual(runs[0]?.data);
        // The killed worker's job came back to another worker as a later attempt.
        expect(run.logs).toMatch(/attempt [2-9]\): done in/);
      },
      SETTINGS.timeoutMs + 60_000,
    );
  },
);
