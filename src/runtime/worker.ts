import type { LoadInfo } from "../pipeline/index.js";
import { InterruptedError, PipelineError, findCause } from "../util/errors.js";
import { type Logger, logger } from "../util/logger.js";
import { scrub } from "../util/redact.js";
import type { BusinessJob, Delivered, JobQueue, ScheduleData } from "./queue.js";

/** What a worker reports, for metrics, alerts and logs (worker-events consumers). */
export type WorkerEvent =
  | { type: "job-start"; job: Delivered<BusinessJob> }
  | { type: "job-done"; job: Delivered<BusinessJob>; durationMs: number; info: LoadInfo }
  | { type: "job-failed"; job: Delivered<BusinessJob>; durationMs: number; error: string; parked: boolean }
  | { type: "job-handed-back"; job: Delivered<BusinessJob> }
  | { type: "schedule-fired"; schedule: string; jobs: number };

export interface WorkerOptions {
  queue: JobQueue;
  /** Run one business job; rejects with InterruptedError when `signal` stopped it early. */
  runJob: (job: BusinessJob, signal: AbortSignal, delivery: Delivered<BusinessJob>) => Promise<LoadInfo>;
  /** A fired schedule's jobs (its businesses listed from Sage). */
  planSchedule: (data: ScheduleData & { schedule: string }, signal: AbortSignal) => Promise<BusinessJob[]>;
  pollIntervalMs: number;
  onEvent?: (event: WorkerEvent) => void;
  log?: Logger;
}

/** The redacted one-line reason a job failed (message and hint, no stack). */
export function failureReason(err: unknown): string {
  if (err instanceof PipelineError) return scrub(err.hint ? `${err.message} (hint: ${err.hint})` : err.message);
  return scrub(err instanceof Error ? err.message : String(err));
}

/**
 * The worker loop: fired schedules first (they only enqueue), then one business job at a time,
 * until `stop` aborts. A stop while a job runs lets the Pipeline finish the step in flight; a
 * job stopped before it finished is handed back to the queue at once (its committed loads
 * stay; the next worker continues from the destination's state). A failure is recorded with
 * its redacted reason; the engine retries it with backoff or parks it, and the loop goes on
 * with the next job: one failing business never blocks the others.
 */
export class Worker {
  private readonly log: Logger;

  constructor(private readonly o: WorkerOptions) {
    this.log = o.log ?? logger("worker");
  }

  async run(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      const fired = await this.o.queue.fetchFiredSchedule();
      if (fired) {
        await this.fireSchedule(fired, stop);
        continue;
      }
      const job = await this.o.queue.fetchJob();
      if (!job) {
        await sleep(this.o.pollIntervalMs, stop);
        continue;
      }
      await this.runOne(job, stop);
    }
  }

  private async fireSchedule(fired: Delivered<ScheduleData & { schedule: string }>, stop: AbortSignal): Promise<void> {
    const jobs = await this.o.planSchedule(fired.data, stop);
    await this.o.queue.enqueue(jobs);
    await this.o.queue.completeSchedule(fired.id, fired.data.schedule);
    this.log.info(`schedule ${fired.data.schedule} fired: ${jobs.length} job(s) enqueued`);
    this.o.onEvent?.({ type: "schedule-fired", schedule: fired.data.schedule, jobs: jobs.length });
  }

  private async runOne(job: Delivered<BusinessJob>, stop: AbortSignal): Promise<void> {
    const started = Date.now();
    const label = `job ${job.id} (business ${job.data.businessId}, attempt ${job.attempt})`;
    this.log.info(`${label}: started`);
    this.o.onEvent?.({ type: "job-start", job });
    let info: LoadInfo;
    try {
      info = await this.o.runJob(job.data, stop, job);
    } catch (err) {
      if (stop.aborted && findCause(err, InterruptedError)) {
        await this.o.queue.handBack(job.id);
        this.log.info(`${label}: stopped (${(stop.reason as Error | undefined)?.message ?? "stop"}); handed back`);
        this.o.onEvent?.({ type: "job-handed-back", job });
        return;
      }
      const reason = failureReason(err);
      const outcome = await this.o.queue.fail(job.id, reason);
      const parked = outcome === "parked";
      this.log.warn(`${label}: failed${parked ? ", parked (no retries left)" : ", will be retried"}: ${reason}`);
      this.o.onEvent?.({ type: "job-failed", job, durationMs: Date.now() - started, error: reason, parked });
      return;
    }
    const durationMs = Date.now() - started;
    await this.o.queue.complete(job.id, {
      loadIds: info.loadPackages.map((p) => p.loadId),
      rowCounts: info.rowCounts,
      durationMs,
    });
    this.log.info(`${label}: done in ${durationMs} ms`);
    this.o.onEvent?.({ type: "job-done", job, durationMs, info });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
