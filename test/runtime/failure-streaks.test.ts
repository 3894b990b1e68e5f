import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/index.js";
import { type BusinessJob, type Delivered, FailureStreaks, PgBossQueue } from "../../src/runtime/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { withServer } from "../destinations/pg-server.js";
import {
  PG_URL,
  type RuntimeEnv,
  dropSchemas,
  probePostgres,
  runtimeEnv,
  startCli,
  uniqueName,
  waitForJobs,
} from "./runtime-helpers.js";

const skip = await probePostgres();

function queueAt(schema: string): PgBossQueue {
  return new PgBossQueue({
    url: new Secret(PG_URL),
    schema,
    leaseSeconds: 60,
    retryLimit: 0,
    retryDelaySeconds: 1,
    maintenanceIntervalSeconds: 1,
    runSchedules: false,
  });
}

function job(businessId: string, n: number): Delivered<BusinessJob> {
  return {
    id: `job-${businessId}-${n}`,
    attempt: 1,
    data: {
      login: "client-1",
      businessId,
      businessName: `Business ${businessId}`,
      pipelineName: "p",
      datasetName: "d",
      origin: "test",
    },
  };
}

/**
 * `[runtime] alert_failures_in_a_row`: a business's jobs that park as failed are counted in the
 * queue's store (reset by a done job), and the webhook fires once when the count reaches N.
 */
describe.skipIf(skip !== undefined)(`failures in a row${skip ? ` (skipped: ${skip})` : ""}`, () => {
  it("counts per business across stores, resets on success and reaches the threshold once", async () => {
    const schema = uniqueName("spq_streak");
    const queue = queueAt(schema);
    await queue.start();
    try {
      const reached: string[] = [];
      // Two instances on one store: two workers of one fleet.
      const make = () =>
        new FailureStreaks({
          query: (sql, values) => queue.query(sql, values),
          schema,
          threshold: 3,
          onReached: (j, n) => {
            reached.push(`${j.data.businessId}:${n}`);
            return Promise.resolve();
          },
        });
      const a = make();
      const b = make();
      expect(await a.failed(job("b1", 1), "boom")).toBe(1);
      expect(await b.failed(job("b1", 2), "boom")).toBe(2);
      await a.succeeded(job("b1", 3).data);
      expect(await a.count("client-1", "b1")).toBe(0);
      expect(await b.failed(job("b1", 4), "boom")).toBe(1);
      expect(await a.failed(job("b2", 1), "other")).toBe(1);
      expect(await a.failed(job("b1", 5), "boom")).toBe(2);
      expect(reached).toEqual([]);
      expect(await b.failed(job("b1", 6), "boom")).toBe(3);
      expect(await a.failed(job("b1", 7), "boom")).toBe(4);
      expect(reached).toEqual(["b1:3"]);
      expect(await a.count("client-1", "b2")).toBe(1);
      // Another login's business of the same id is another business.
      expect(await a.count("client-2", "b1")).toBe(0);
    } finally {
      await queue.stop();
      await dropSchemas(schema);
    }
  }, 30_000);

  describe("a worker alerting the webhook", () => {
    let sb: Sandbox;
    let r: RuntimeEnv;
    let hook: Server;
    const alerts: Array<{ text: string }> = [];

    beforeAll(async () => {
      sb = await startSandbox({ port: 0, businesses: 1, scale: 0.02, seed: 11 });
      hook = createServer((req, res) => {
        let body = "";
        req.on("data", (d: Buffer) => (body += d.toString()));
        req.on("end", () => {
          alerts.push(JSON.parse(body) as { text: string });
          res.end("ok");
        });
      });
      await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
      r = runtimeEnv(sb, { RUNTIME__ALERT_WEBHOOK_URL: url, RUNTIME__JOB_RETRY_LIMIT: "0" });
    });
    afterAll(async () => {
      await sb.close();
      await new Promise((resolve) => hook.close(resolve));
      await dropSchemas(r.queueSchema, r.dataset);
    });

    it("sends one alert when a business's third job in a row parks, none for the fourth", async () => {
      const queue = queueAt(r.queueSchema);
      await queue.start();
      const dead: BusinessJob = {
        login: "access_token",
        businessId: "0000dead",
        businessName: "Gone Ltd",
        pipelineName: "sage_accounting_pipeline",
        datasetName: r.dataset,
        origin: "test",
      };
      await queue.enqueue([dead, dead, dead, dead]);
      await queue.stop();

      const w = startCli(["worker"], r, { RUNTIME__ALERT_FAILURES_IN_A_ROW: "3" });
      await waitForJobs(r.queueSchema, (s) => s.failed === 4);
      w.child.kill("SIGTERM");
      expect((await w.done).status, w.stderr()).toBe(0);

      const streak = alerts.filter((a) => /failed \d+ runs in a row/.test(a.text));
      expect(streak).toHaveLength(1);
      expect(streak[0]!.text).toContain("Gone Ltd (0000dead) failed 3 runs in a row");
      expect(alerts.filter((a) => /parked as failed/.test(a.text))).toHaveLength(4);
      const rows = await withServer((c) =>
        c.query<{ failures: number }>(
          `SELECT failures FROM "${r.queueSchema}".sp_failure_streaks WHERE business_id = '0000dead'`,
        ),
      );
      expect(rows.rows[0]?.failures).toBe(4);
      expect(JSON.stringify(alerts)).not.toContain(r.env.SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN);
    }, 80_000);
  });
});
