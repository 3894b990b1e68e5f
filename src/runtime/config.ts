import { configSpec, field } from "../config/index.js";
import { RUNTIME_SPEC } from "../http/index.js";

/** Sage's limits per app (not per process): reference/sage-api.md. */
export const SAGE_APP_MAX_CONCURRENCY = 150;
export const SAGE_APP_DAILY_REQUESTS = 1_296_000;

/**
 * `[runtime]` (`RUNTIME__*`): the HTTP retry keys (http/runtime-config.ts, which resolves only
 * those) and the queue workers' keys, as one spec so the section has one table and one template.
 * The queue's store (Postgres) also holds the worker registry, the per-business locks, the shared
 * limiter (concurrency, daily budget, 429 back-off) and the shared token store.
 */
export const WORKER_SPEC = configSpec({
  title: "runtime: HTTP retries and queue workers",
  section: ["runtime"],
  fields: {
    ...RUNTIME_SPEC.fields,
    queueUrl: field.secret({
      doc: "the queue engine: `postgresql://user:password@host:5432/db` (pg-boss); also `--queue`",
      example: "postgresql://postgres@127.0.0.1:5432/sage",
    }),
    queueSchema: field.string({
      doc: "the Postgres schema of the queue, its schedules, the shared limiter and token store",
      default: "sage_pipeline_queue",
      check: (v) => (/^[a-z_][a-z0-9_]*$/.test(v) ? undefined : "must be a lower-case SQL name (letters, digits, _)"),
    }),
    jobLeaseSeconds: field.integer({
      doc: "a running job not finished after this long is handed to another worker (a killed worker's job comes back after it); longer than the longest job",
      default: 3600,
      min: 1,
    }),
    jobRetryLimit: field.integer({
      doc: "retries of a failed job (with exponential backoff) before it is parked as failed",
      default: 3,
      min: 0,
    }),
    jobRetryDelaySeconds: field.integer({
      doc: "the first retry's delay; each further retry waits about twice as long",
      default: 30,
      min: 0,
    }),
    pollIntervalSeconds: field.number({ doc: "how often an idle worker asks the queue for a job", default: 2, positive: true }),
    maintenanceIntervalSeconds: field.integer({
      doc: "how often the queue expires lapsed leases and schedules retries",
      default: 30,
      min: 1,
    }),
    appMaxConcurrency: field.integer({
      doc: "Sage requests in flight at once across every worker of the app",
      default: SAGE_APP_MAX_CONCURRENCY,
      positive: true,
    }),
    appDailyBudget: field.integer({
      doc: "Sage requests per UTC day across every worker of the app (counted in the queue's store, so a restart does not reset it)",
      default: SAGE_APP_DAILY_REQUESTS,
      positive: true,
    }),
    slotLeaseSeconds: field.integer({
      doc: "a shared request slot still held this long after it was taken (its worker died) is free again",
      default: 120,
      min: 1,
    }),
    metricsPort: field.integer({
      doc: "the worker serves /metrics (Prometheus) and /healthz at this port (0 picks a free one; unset: off); also `--metrics-port`",
      min: 0,
      max: 65535,
    }),
    metricsHost: field.string({ doc: "the address /metrics and /healthz listen on", default: "127.0.0.1" }),
    alertWebhookUrl: field.secret({
      doc: "Slack-compatible webhook (JSON `{text}` POST): a job parked as failed, a business failing `alert_failures_in_a_row` jobs in a row, the daily budget past 80%",
    }),
    alertFailuresInARow: field.integer({
      doc: "alert once when a business's jobs end parked as failed this many times in a row (counted in the queue's store across workers; a done job resets it)",
      default: 3,
      min: 1,
    }),
    logFormat: field.choice(["text", "json"], {
      doc: "worker logs on stderr: text lines, or one JSON object per line (job, business, load id); also `--log-format`",
      default: "text",
    }),
  },
});
