import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { onRequestEvent } from "../http/index.js";
import type { WorkerEvent } from "./worker.js";

export interface MetricsSources {
  /** Jobs waiting in the queue (asked at each scrape). */
  queueDepth: () => Promise<number>;
  /** The shared day's budget: requests left (asked at each scrape). */
  budgetLeft: () => Promise<number>;
  /** What /healthz reports. */
  health: () => Record<string, unknown>;
}

/**
 * A worker's Prometheus metrics (prom-client, its own registry): Sage requests by status, 429s
 * and retries (from every HTTP client in the process), rows loaded per table, job durations,
 * failures, queue depth and the shared daily budget left.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "sage_pipeline_requests_total",
    help: "HTTP responses from Sage, by status",
    labelNames: ["status"],
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: "sage_pipeline_rate_limited_total",
    help: "429 responses",
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: "sage_pipeline_retries_total",
    help: "HTTP requests retried (429, 5xx, dropped connections)",
    registers: [this.registry],
  });
  private readonly rows = new Counter({
    name: "sage_pipeline_rows_loaded_total",
    help: "rows loaded, by table",
    labelNames: ["table"],
    registers: [this.registry],
  });
  private readonly durations = new Histogram({
    name: "sage_pipeline_job_duration_seconds",
    help: "job durations, by outcome",
    labelNames: ["outcome"],
    buckets: [1, 5, 15, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  private readonly failures = new Counter({
    name: "sage_pipeline_job_failures_total",
    help: "failed job attempts; parked=true when no retry was left",
    labelNames: ["parked"],
    registers: [this.registry],
  });
  private readonly unsubscribe: () => void;

  constructor(sources: Pick<MetricsSources, "queueDepth" | "budgetLeft">) {
    new Gauge({
      name: "sage_pipeline_queue_depth",
      help: "business jobs waiting in the queue",
      registers: [this.registry],
      async collect() {
        this.set(await sources.queueDepth());
      },
    });
    new Gauge({
      name: "sage_pipeline_daily_budget_remaining",
      help: "Sage requests left in the app's shared daily budget (UTC day)",
      registers: [this.registry],
      async collect() {
        this.set(await sources.budgetLeft());
      },
    });
    this.unsubscribe = onRequestEvent((e) => {
      if (e.type === "response") {
        this.requests.inc({ status: String(e.status) });
        if (e.status === 429) this.rateLimited.inc();
      } else if (e.type === "retry") this.retries.inc();
    });
  }

  onWorkerEvent(e: WorkerEvent): void {
    if (e.type === "job-done") {
      this.durations.observe({ outcome: "done" }, e.durationMs / 1000);
      for (const [table, n] of Object.entries(e.info.rowCounts)) this.rows.inc({ table }, n);
    } else if (e.type === "job-failed") {
      this.durations.observe({ outcome: "failed" }, e.durationMs / 1000);
      this.failures.inc({ parked: String(e.parked) });
    }
  }

  close(): void {
    this.unsubscribe();
  }
}

/** `/metrics` (Prometheus text) and `/healthz` (JSON) on host:port; resolves with the bound port. */
export async function serveMetrics(
  metrics: WorkerMetrics,
  health: () => Record<string, unknown>,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": metrics.registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
        },
      );
      return;
    }
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`${JSON.stringify({ ok: true, ...health() })}\n`);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found: /metrics or /healthz\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
