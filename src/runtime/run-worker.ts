import type { Server } from "node:http";
import type { ConfigResolver } from "../config/index.js";
import { setSharedLimit, setSharedPacer } from "../http/index.js";
import { Pipeline } from "../pipeline/index.js";
import { setSharedSageAuth } from "../sage/index.js";
import { type Logger, logger } from "../util/logger.js";
import { AlertHook } from "./alerts.js";
import { BusinessLock } from "./business-lock.js";
import { FailureStreaks } from "./failure-streaks.js";
import { type LogContext, jsonLogs } from "./json-logs.js";
import { WorkerMetrics, serveMetrics } from "./metrics.js";
import { openQueue, resolveWorkerSettings } from "./open-queue.js";
import { planBusinessJobs } from "./plan-jobs.js";
import { runBusinessJob } from "./run-job.js";
import { PostgresSharedLimiter } from "./shared-limiter.js";
import { PostgresSharedPacer } from "./shared-pacer.js";
import { installSharedTokens } from "./shared-tokens.js";
import { Worker, type WorkerEvent } from "./worker.js";
import { WorkerRegistry } from "./worker-registry.js";

export interface RunWorkerOptions {
  config: ConfigResolver;
  /** `--queue`, over `[runtime] queue_url`. */
  queueUrl?: string;
  /** `--destination`, over `[pipeline] destination`. */
  destination?: string;
  /** `--metrics-port`, over `[runtime] metrics_port`. */
  metricsPort?: number;
  /** `--log-format`, over `[runtime] log_format`. */
  logFormat?: "text" | "json";
  /** Aborted on SIGTERM/SIGINT: the worker finishes or hands back its job and returns. */
  stop: AbortSignal;
  onEvent?: (event: WorkerEvent) => void;
  log?: Logger;
}

/**
 * A worker process's life: open the queue, refuse a single-writer destination beside other
 * workers (exit 2), install the shared limit and token store, serve /metrics and /healthz, then
 * take jobs until `stop`; undo all of it either way.
 */
export async function runWorker(o: RunWorkerOptions): Promise<void> {
  const log = o.log ?? logger("worker");
  const settings = resolveWorkerSettings(o.config, o.queueUrl);
  const probe = new Pipeline({ config: o.config, ...(o.destination !== undefined ? { destination: o.destination } : {}) });
  const destination = await probe.destination();
  const queue = openQueue(settings.queueUrl, settings, true);
  await queue.start();
  const registry = new WorkerRegistry((sql, values) => queue.query(sql, values), queue.schema);
  const logs = (o.logFormat ?? settings.logFormat) === "json" ? jsonLogs(registry.id) : undefined;
  const context: LogContext = logs?.context ?? {};
  const limiter = new PostgresSharedLimiter({
    query: (sql, values) => queue.query(sql, values),
    schema: queue.schema,
    holder: registry.id,
    maxConcurrency: settings.appMaxConcurrency,
    dailyBudget: settings.appDailyBudget,
    slotLeaseSeconds: settings.slotLeaseSeconds,
  });
  const alerts = settings.alertWebhookUrl ? new AlertHook(settings.alertWebhookUrl, registry.id) : undefined;
  // Counted whether or not a webhook is set, so the count is right on every worker of the fleet.
  const streaks = new FailureStreaks({
    query: (sql, values) => queue.query(sql, values),
    schema: queue.schema,
    threshold: settings.alertFailuresInARow,
    ...(alerts ? { onReached: (job, n, error) => alerts.onFailureStreak(job, n, error) } : {}),
  });
  const metrics = new WorkerMetrics({
    queueDepth: () => queue.depth(),
    budgetLeft: async () => {
      const r = await limiter.readBudget();
      return Math.max(0, r.budget - r.used);
    },
  });
  let server: Server | undefined;
  let current: WorkerEvent | undefined;
  const onEvent = (e: WorkerEvent) => {
    if (e.type === "job-start") {
      current = e;
      context.job = e.job.id;
      context.business = e.job.data.businessId;
    } else if (e.type !== "schedule-fired") {
      current = undefined;
      delete context.job;
      delete context.business;
      delete context.loadId;
    }
    metrics.onWorkerEvent(e);
    streaks.onWorkerEvent(e);
    if (alerts) {
      void alerts.onWorkerEvent(e);
      void alerts.onBudget(limiter.lastReading);
    }
    o.onEvent?.(e);
  };
  // The budget alert also fires while a long job runs, not only when it ends.
  const budgetTimer = alerts
    ? setInterval(() => {
        void alerts.onBudget(limiter.lastReading);
      }, 5000)
    : undefined;
  budgetTimer?.unref();
  try {
    await registry.join(destination.name, destination.capabilities.singleWriter);
    await limiter.install();
    // Every Sage request of every job asks the app-wide limit too (through the HTTP limiter seam),
    // and every refresh-token login takes its tokens from the shared store.
    setSharedLimit(limiter);
    // Rates with a shared pace key (Sage One ZA's per company) count every worker's requests.
    setSharedPacer(new PostgresSharedPacer((sql, values) => queue.query(sql, values), queue.schema));
    installSharedTokens(queue);
    const port = o.metricsPort ?? settings.metricsPort;
    if (port !== undefined) {
      const served = await serveMetrics(
        metrics,
        () => ({
          worker: registry.id,
          job: current?.type === "job-start" ? { id: current.job.id, business: current.job.data.businessId } : null,
        }),
        settings.metricsHost,
        port,
      );
      server = served.server;
      log.info(`metrics on http://${settings.metricsHost}:${served.port}/metrics and /healthz`);
    }
    log.info(`worker ${registry.id} on queue schema ${queue.schema}, destination ${destination.name}`);
    const worker = new Worker({
      queue,
      pollIntervalMs: settings.pollIntervalSeconds * 1000,
      planSchedule: (data, signal) => planBusinessJobs(o.config, { ...data, origin: `schedule ${data.schedule}` }, signal),
      runJob: async (job, signal) => {
        const lock = await BusinessLock.acquire(settings.queueUrl, queue.schema, job.login, job.businessId);
        try {
          return await runBusinessJob(job, {
            config: o.config,
            signal,
            onProgress: (p) => {
              if (p.step !== "extract") context.loadId = p.loadId;
            },
            ...(o.destination !== undefined ? { destination: o.destination } : {}),
          });
        } finally {
          await lock.release();
        }
      },
      onEvent,
      log,
    });
    await worker.run(o.stop);
  } finally {
    clearInterval(budgetTimer);
    await streaks.flush();
    if (alerts) {
      await alerts.onBudget(limiter.lastReading);
      await alerts.flush();
    }
    if (server) await new Promise((resolve) => server?.close(resolve));
    metrics.close();
    setSharedLimit(undefined);
    setSharedPacer(undefined);
    setSharedSageAuth(undefined);
    await limiter.releaseAll().catch(() => undefined);
    await registry.leave();
    await queue.stop();
    logs?.stop();
  }
}
