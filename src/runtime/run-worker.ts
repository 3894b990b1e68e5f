import type { ConfigResolver } from "../config/index.js";
import { setSharedLimit } from "../http/index.js";
import { Pipeline } from "../pipeline/index.js";
import { setSharedSageAuth } from "../sage/index.js";
import { type Logger, logger } from "../util/logger.js";
import { BusinessLock } from "./business-lock.js";
import { openQueue, resolveWorkerSettings } from "./open-queue.js";
import { planBusinessJobs } from "./plan-jobs.js";
import { runBusinessJob } from "./run-job.js";
import { PostgresSharedLimiter } from "./shared-limiter.js";
import { installSharedTokens } from "./shared-tokens.js";
import { Worker, type WorkerEvent } from "./worker.js";
import { WorkerRegistry } from "./worker-registry.js";

export interface RunWorkerOptions {
  config: ConfigResolver;
  /** `--queue`, over `[runtime] queue_url`. */
  queueUrl?: string;
  /** `--destination`, over `[pipeline] destination`. */
  destination?: string;
  /** Aborted on SIGTERM/SIGINT: the worker finishes or hands back its job and returns. */
  stop: AbortSignal;
  onEvent?: (event: WorkerEvent) => void;
  log?: Logger;
}

/**
 * A worker process's life: open the queue, refuse a single-writer destination beside other
 * workers (exit 2), then take jobs until `stop`; leave the registry and close the queue either way.
 */
export async function runWorker(o: RunWorkerOptions): Promise<void> {
  const log = o.log ?? logger("worker");
  const settings = resolveWorkerSettings(o.config, o.queueUrl);
  const probe = new Pipeline({ config: o.config, ...(o.destination !== undefined ? { destination: o.destination } : {}) });
  const destination = await probe.destination();
  const queue = openQueue(settings.queueUrl, settings, true);
  await queue.start();
  const registry = new WorkerRegistry((sql, values) => queue.query(sql, values), queue.schema);
  const limiter = new PostgresSharedLimiter({
    query: (sql, values) => queue.query(sql, values),
    schema: queue.schema,
    holder: registry.id,
    maxConcurrency: settings.appMaxConcurrency,
    dailyBudget: settings.appDailyBudget,
    slotLeaseSeconds: settings.slotLeaseSeconds,
  });
  try {
    await registry.join(destination.name, destination.capabilities.singleWriter);
    await limiter.install();
    // Every Sage request of every job asks the app-wide limit too (through the HTTP limiter seam),
    // and every refresh-token login takes its tokens from the shared store.
    setSharedLimit(limiter);
    installSharedTokens(queue);
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
            ...(o.destination !== undefined ? { destination: o.destination } : {}),
          });
        } finally {
          await lock.release();
        }
      },
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      log,
    });
    await worker.run(o.stop);
  } finally {
    setSharedLimit(undefined);
    setSharedSageAuth(undefined);
    await limiter.releaseAll().catch(() => undefined);
    await registry.leave();
    await queue.stop();
  }
}
