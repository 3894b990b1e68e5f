import type { Secret } from "../config/index.js";
import { logger } from "../util/logger.js";
import { scrub } from "../util/redact.js";
import type { BusinessJob, Delivered } from "./queue.js";
import type { BudgetReading } from "./shared-limiter.js";
import type { WorkerEvent } from "./worker.js";

const log = logger("alerts");

/** The share of the daily budget past which the alert fires (once per UTC day and worker). */
export const BUDGET_ALERT_SHARE = 0.8;

/**
 * Alerts to a Slack-compatible webhook (`{"text": ...}` POSTed as JSON, as Slack's incoming
 * webhooks and most chat tools take it): a job parked as failed, a business failing N runs in a
 * row (failure-streaks.ts counts them), and the app's daily budget past 80%. A webhook that fails is logged, never fatal: alerts must not stop the work.
 */
export class AlertHook {
  private budgetAlertedDay: string | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly url: Secret,
    private readonly worker: string,
  ) {}

  async onWorkerEvent(e: WorkerEvent): Promise<void> {
    if (e.type !== "job-failed" || !e.parked) return;
    const j = e.job.data;
    await this.send(
      `sage-pipeline: job ${e.job.id} for business ${j.businessName} (${j.businessId}) is parked as failed after ${e.job.attempt} attempt(s): ${e.error}`,
    );
  }

  /** A business whose jobs ended failed `failures` times in a row (FailureStreaks calls it once per streak). */
  async onFailureStreak(job: Delivered<BusinessJob>, failures: number, error: string): Promise<void> {
    const j = job.data;
    await this.send(
      `sage-pipeline: business ${j.businessName} (${j.businessId}) failed ${failures} runs in a row (the last, job ${job.id}: ${error}); no further alert until one of its jobs is done`,
    );
  }

  async onBudget(r: BudgetReading | undefined): Promise<void> {
    if (!r || r.used < r.budget * BUDGET_ALERT_SHARE || this.budgetAlertedDay === r.day) return;
    this.budgetAlertedDay = r.day;
    const pct = Math.min(100, Math.round((r.used / r.budget) * 100));
    await this.send(
      `sage-pipeline: ${pct}% of the app's daily Sage budget is used on ${r.day} (${r.used} of ${r.budget} requests, all workers)`,
    );
  }

  /** Wait for the alerts under way (a stopping worker sends what it has). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private send(text: string): Promise<void> {
    const p = this.post(text).finally(() => this.pending.delete(p));
    this.pending.add(p);
    return p;
  }

  private async post(text: string): Promise<void> {
    const body = JSON.stringify({ text: scrub(`${text} [worker ${this.worker}]`) });
    try {
      const res = await fetch(this.url.reveal(), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) log.warn(`alert webhook answered ${res.status}`);
    } catch (err) {
      log.warn(`alert webhook failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
