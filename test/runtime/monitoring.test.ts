import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/index.js";
import { PgBossQueue } from "../../src/runtime/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { withServer } from "../destinations/pg-server.js";
import {
  PG_URL,
  type RuntimeEnv,
  cli,
  dropSchemas,
  probePostgres,
  runtimeEnv,
  startCli,
  waitForJobs,
} from "./runtime-helpers.js";

const skip = await probePostgres();

/**
 * A worker's monitoring: /metrics (requests by status, rows per table, failures, queue depth,
 * budget left) and /healthz on a free 127.0.0.1 port, JSON log lines with job, business and load
 * id and no secret, and the Slack-compatible alerts: a parked job, the daily budget past 80%.
 */
describe.skipIf(skip !== undefined)(`worker monitoring${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let sb: Sandbox;
  let r: RuntimeEnv;
  let hook: Server;
  const alerts: Array<{ text: string }> = [];

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 2, scale: 0.03, seed: 5 });
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
    r = runtimeEnv(sb, { RUNTIME__ALERT_WEBHOOK_URL: url, RUNTIME__APP_DAILY_BUDGET: "1000", RUNTIME__JOB_RETRY_LIMIT: "0" });
  });
  afterAll(async () => {
    await sb.close();
    await new Promise((resolve) => hook.close(resolve));
    await dropSchemas(r.queueSchema, r.dataset);
  });

  it("serves metrics and health, logs JSON lines, and alerts on a parked job and on 80% of the budget", async () => {
    expect((await cli(["enqueue"], r)).status).toBe(0);
    // 79.5% of the day was used before (by other workers, earlier): this worker's requests pass 80%.
    await withServer((c) => c.query(`INSERT INTO "${r.queueSchema}".sp_budget VALUES ((now() AT TIME ZONE 'UTC')::date, 795)`));
    const queue = new PgBossQueue({
      url: new Secret(PG_URL),
      schema: r.queueSchema,
      leaseSeconds: 60,
      retryLimit: 0,
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

    const w = startCli(["worker", "--metrics-port", "0", "--log-format", "json", "--log-level", "info"], r);
    await w.saw(/metrics on http:\/\/127\.0\.0\.1:\d+/);
    const port = /metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(w.stderr())![1];
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { ok: boolean }).ok).toBe(true);

    await waitForJobs(r.queueSchema, (s) => s.completed === 2 && s.failed === 1);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const value = (line: RegExp) => Number(new RegExp(`^${line.source} (\\S+)$`, "m").exec(text)?.[1]);
    expect(value(/sage_pipeline_requests_total\{status="200"\}/)).toBeGreaterThan(0);
    const invoices = sb.store.businesses.reduce((n, b) => n + sb.store.count(b.id, "sales_invoices"), 0);
    expect(value(/sage_pipeline_rows_loaded_total\{table="sales_invoices"\}/)).toBe(invoices);
    expect(value(/sage_pipeline_job_failures_total\{parked="true"\}/)).toBe(1);
    expect(value(/sage_pipeline_job_duration_seconds_count\{outcome="done"\}/)).toBe(2);
    expect(value(/sage_pipeline_queue_depth/)).toBe(0);
    const left = value(/sage_pipeline_daily_budget_remaining/);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(200);
    expect(text).toContain("sage_pipeline_rate_limited_total 0");
    expect(text).toContain("sage_pipeline_retries_total 0");

    w.child.kill("SIGTERM");
    expect((await w.done).status, w.stderr()).toBe(0);

    const lines = w
      .stderr()
      .split("\n")
      .filter((l) => l.trim() !== "");
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.every((x) => typeof x.msg === "string" && typeof x.level === "number")).toBe(true);
    expect(records.some((x) => x.job && x.business && typeof x.load_id === "string")).toBe(true);
    expect(w.stderr()).not.toContain(r.env.SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN);

    expect(alerts.some((a) => /parked as failed/.test(a.text) && a.text.includes("0000dead"))).toBe(true);
    expect(alerts.filter((a) => /% of the app's daily Sage budget is used/.test(a.text))).toHaveLength(1);
    expect(JSON.stringify(alerts)).not.toContain(r.env.SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN);
  }, 85_000);
});
