import { logger } from "../util/logger.js";
import type { BusinessJob, Delivered } from "./queue.js";
import type { WorkerEvent } from "./worker.js";
import type { StoreQuery } from "./worker-registry.js";

const log = logger("alerts");

function q(schema: string): string {
  return `"${schema.replace(/"/g, '""')}"`;
}

export interface FailureStreaksOptions {
  query: StoreQuery;
  schema: string;
  /** `[runtime] alert_failures_in_a_row`: the count at which `onReached` is called. */
  threshold: number;
  /** Called once per streak, by whichever worker's failure made the count reach the threshold. */
  onReached?: (job: Delivered<BusinessJob>, failures: number, error: string) => Promise<void>;
}

/**
 * Each business's jobs that ended failed in a row, in the queue's store (`sp_failure_streaks`,
 * keyed by login and business), so the count runs across workers and restarts. A job counts
 * when it parks (its retries are spent: one failed run of that business); a done job resets the
 * count. The row is incremented in one statement that returns the new count, so exactly one
 * worker sees the count equal the threshold and alerts: once per streak, however many workers.
 * A store that fails is logged, never fatal: counting must not stop the work.
 */
export class FailureStreaks {
  private readonly table: string;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly o: FailureStreaksOptions) {
    this.table = `${q(o.schema)}.sp_failure_streaks`;
  }

  /** Record a job's end (worker events are synchronous; `flush` waits for what is under way). */
  onWorkerEvent(e: WorkerEvent): void {
    let p: Promise<unknown>;
    if (e.type === "job-done") p = this.succeeded(e.job.data);
    else if (e.type === "job-failed" && e.parked) p = this.failed(e.job, e.error);
    else return;
    const business = e.job.data.businessId;
    const tracked: Promise<void> = p
      .then(() => undefined)
      .catch((err: unknown) => {
        log.warn(`failure count of business ${business} not updated: ${(err as Error).message}`);
      })
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** One more failed job of the business; returns the count now. */
  async failed(job: Delivered<BusinessJob>, error: string): Promise<number> {
    const rows = await this.o.query<{ failures: number }>(
      `INSERT INTO ${this.table} AS t (login, business_id, failures, last_error, updated_at) VALUES ($1, $2, 1, $3, now())
       ON CONFLICT (login, business_id) DO UPDATE SET failures = t.failures + 1, last_error = EXCLUDED.last_error, updated_at = now()
       RETURNING failures`,
      [job.data.login, job.data.businessId, error],
    );
    const failures = rows[0]?.failures ?? 0;
    if (failures === this.o.threshold) await this.o.onReached?.(job, failures, error);
    return failures;
  }

  /** A done job ends the business's streak. */
  async succeeded(job: BusinessJob): Promise<void> {
    await this.o.query(`DELETE FROM ${this.table} WHERE login = $1 AND business_id = $2`, [job.login, job.businessId]);
  }

  /** The business's current count (0: its last job was done, or none failed). */
  async count(login: string, businessId: string): Promise<number> {
    const rows = await this.o.query<{ failures: number }>(
      `SELECT failures FROM ${this.table} WHERE login = $1 AND business_id = $2`,
      [login, businessId],
    );
    return rows[0]?.failures ?? 0;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
