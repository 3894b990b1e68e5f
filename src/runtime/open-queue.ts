import type { ConfigResolver, Secret } from "../config/index.js";
import { Secret as SecretValue } from "../config/index.js";
import { ConfigError } from "../util/errors.js";
import { WORKER_SPEC } from "./config.js";
import { PgBossQueue } from "./pg-boss-queue.js";

export type WorkerSettings = ReturnType<typeof resolveWorkerSettings>;

/** `[runtime]` worker keys, with `--queue` over them; a missing queue URL says where to set it. */
export function resolveWorkerSettings(config: ConfigResolver, queueFlag?: string) {
  const c = config.resolve(WORKER_SPEC, queueFlag !== undefined ? { queueUrl: new SecretValue(queueFlag) } : {});
  const queueUrl = c.values.queueUrl;
  if (!queueUrl) {
    throw new ConfigError("no queue: --queue is not given and [runtime] queue_url is not set", {
      hint: "pass --queue postgresql://user@host:5432/db, or set RUNTIME__QUEUE_URL / [runtime] queue_url in .dlt/secrets.toml",
    });
  }
  return { ...c.values, queueUrl };
}

/** The engine for a URL: Postgres → pg-boss. The seam takes a second engine (BullMQ on Redis) as one more branch. */
export function openQueue(url: Secret, settings: Omit<WorkerSettings, "queueUrl">, runSchedules: boolean): PgBossQueue {
  const scheme = /^([a-z+]+):/i.exec(url.reveal())?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") {
    return new PgBossQueue({
      url,
      schema: settings.queueSchema,
      leaseSeconds: settings.jobLeaseSeconds,
      retryLimit: settings.jobRetryLimit,
      retryDelaySeconds: settings.jobRetryDelaySeconds,
      maintenanceIntervalSeconds: settings.maintenanceIntervalSeconds,
      runSchedules,
    });
  }
  if (scheme === "redis" || scheme === "rediss") {
    throw new ConfigError("a Redis queue URL was given, but this build's queue engine is pg-boss on Postgres", {
      hint: "use a postgresql:// URL for [runtime] queue_url (DEVELOPERS.md, Production runtime, says why)",
    });
  }
  throw new ConfigError(`[runtime] queue_url has scheme ${JSON.stringify(scheme ?? "")}: not a queue engine`, {
    hint: "use postgresql://user:password@host:5432/database",
  });
}
