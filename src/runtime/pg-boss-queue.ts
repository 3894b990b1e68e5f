import type PgBoss from "pg-boss";
import type { Secret } from "../config/index.js";
import { ConfigError, PipelineError } from "../util/errors.js";
import { redactUrl } from "../util/redact.js";
import { logger } from "../util/logger.js";
import { installStoreTables } from "./store-tables.js";
import type { BusinessJob, Delivered, FailOutcome, JobQueue, JobRecord, JobState, Schedule, ScheduleData } from "./queue.js";

const log = logger("queue");

/** The queue of business jobs; each schedule has its own queue `sage_schedule__<name>` (pg-boss 10 keys schedules by queue). */
export const BUSINESS_QUEUE = "sage_business";
const SCHEDULE_PREFIX = "sage_schedule__";
const SCHEDULE_NAME = /^[A-Za-z0-9_-]{1,100}$/;

export interface PgBossQueueOptions {
  url: Secret;
  schema: string;
  leaseSeconds: number;
  retryLimit: number;
  retryDelaySeconds: number;
  maintenanceIntervalSeconds: number;
  /** Run the cron clock (workers do; `enqueue`, `jobs` and `schedule` do not need it). */
  runSchedules: boolean;
}

interface JobRow {
  id: string;
  state: string;
  data: BusinessJob;
  retry_count: number;
  retry_limit: number;
  output: { message?: string } | null;
  created_on: Date;
  started_on: Date | null;
  completed_on: Date | null;
}

const STATES: Record<string, JobState> = {
  created: "queued",
  retry: "retry",
  active: "running",
  completed: "done",
  failed: "failed",
  cancelled: "cancelled",
};

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * pg-boss 10 on Postgres: jobs, retries with exponential backoff (`retryBackoff`), leases
 * (`expireInSeconds`, lapsed ones are failed-and-retried by its maintenance), cron schedules
 * fired once across all instances. The `jobs` listing reads pg-boss's own `job` and `archive`
 * tables, which its API has no call for.
 */
export class PgBossQueue implements JobQueue {
  private boss: PgBoss | undefined;
  private scheduleQueues: { at: number; names: string[] } = { at: 0, names: [] };

  constructor(private readonly options: PgBossQueueOptions) {}

  get schema(): string {
    return this.options.schema;
  }

  get url(): Secret {
    return this.options.url;
  }

  private get engine(): PgBoss {
    if (!this.boss) throw new Error("queue not started");
    return this.boss;
  }

  async start(): Promise<void> {
    const { default: PgBossClass } = await import("pg-boss");
    const o = this.options;
    const boss = new PgBossClass({
      connectionString: o.url.reveal(),
      schema: o.schema,
      application_name: "sage-pipeline",
      // Jobs' requests ask the shared limiter through this pool too.
      max: 12,
      schedule: o.runSchedules,
      supervise: true,
      maintenanceIntervalSeconds: o.maintenanceIntervalSeconds,
      // Fired schedules are found within seconds; the default 30 s is slow for a test or a demo.
      ...(o.runSchedules ? { cronMonitorIntervalSeconds: 5, clockMonitorIntervalSeconds: 60 } : {}),
    });
    // pg-boss reports maintenance errors as events; without a listener an error event would throw.
    boss.on("error", (err: Error) => {
      log.warn(`queue engine: ${err.message}`);
    });
    try {
      await boss.start();
    } catch (err) {
      // The driver's code decides the kind: a refused connection is transient, a bad password terminal.
      throw new PipelineError(`cannot open the queue at ${redactUrl(o.url.reveal())}: ${(err as Error).message}`, {
        hint: "check [runtime] queue_url (RUNTIME__QUEUE_URL or --queue): a reachable Postgres database",
        cause: err,
      });
    }
    this.boss = boss;
    await this.ensureQueue(BUSINESS_QUEUE);
    await installStoreTables(o.url, o.schema);
  }

  private async ensureQueue(name: string): Promise<void> {
    const o = this.options;
    const queue = {
      name,
      retryLimit: o.retryLimit,
      retryDelay: o.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: o.leaseSeconds,
    };
    if (await this.engine.getQueue(name)) await this.engine.updateQueue(name, queue);
    else await this.engine.createQueue(name, queue);
  }

  async stop(): Promise<void> {
    const boss = this.boss;
    this.boss = undefined;
    if (boss) await boss.stop({ graceful: false, close: true, wait: true, timeout: 2000 });
  }

  async enqueue(jobs: BusinessJob[]): Promise<string[]> {
    const ids: string[] = [];
    for (const job of jobs) {
      const id = await this.engine.send(BUSINESS_QUEUE, job as unknown as object);
      if (id) ids.push(id);
    }
    return ids;
  }

  async fetchJob(): Promise<Delivered<BusinessJob> | undefined> {
    const [job] = await this.engine.fetch<BusinessJob>(BUSINESS_QUEUE, { includeMetadata: true, batchSize: 1 });
    return job ? { id: job.id, data: job.data, attempt: job.retryCount + 1 } : undefined;
  }

  async complete(id: string, output: Record<string, unknown>): Promise<void> {
    await this.engine.complete(BUSINESS_QUEUE, id, output);
  }

  async fail(id: string, message: string): Promise<FailOutcome> {
    await this.engine.fail(BUSINESS_QUEUE, id, { message });
    const job = await this.engine.getJobById(BUSINESS_QUEUE, id, { includeArchive: true });
    return job?.state === "failed" ? "parked" : "retry";
  }

  async handBack(id: string): Promise<void> {
    // pg-boss 10 has no "release": cancel + resume puts the job back as created, at once.
    await this.engine.cancel(BUSINESS_QUEUE, id);
    await this.engine.resume(BUSINESS_QUEUE, id);
  }

  async list(): Promise<JobRecord[]> {
    const s = quoteIdent(this.options.schema);
    const cols = "id, state::text AS state, data, retry_count, retry_limit, output, created_on, started_on, completed_on";
    const { rows } = await this.engine
      .getDb()
      .executeSql(
        `SELECT ${cols} FROM ${s}.job WHERE name = $1 UNION ALL SELECT ${cols} FROM ${s}.archive WHERE name = $1 ORDER BY created_on, id`,
        [BUSINESS_QUEUE],
      );
    return (rows as JobRow[]).map((r) => {
      const state = STATES[r.state] ?? "queued";
      const finished = state === "done" || state === "failed" || state === "cancelled";
      return {
        id: r.id,
        state,
        businessId: r.data.businessId,
        businessName: r.data.businessName,
        attempts: r.started_on ? r.retry_count + 1 : r.retry_count,
        retryLimit: r.retry_limit,
        lastError: typeof r.output?.message === "string" ? r.output.message : undefined,
        createdAt: r.created_on,
        startedAt: r.started_on ?? undefined,
        finishedAt: finished ? (r.completed_on ?? undefined) : undefined,
        durationMs: finished && r.started_on && r.completed_on ? r.completed_on.getTime() - r.started_on.getTime() : undefined,
      };
    });
  }

  async depth(): Promise<number> {
    return this.engine.getQueueSize(BUSINESS_QUEUE);
  }

  async addSchedule(schedule: Schedule): Promise<void> {
    if (!SCHEDULE_NAME.test(schedule.name)) {
      throw new ConfigError(`schedule name ${JSON.stringify(schedule.name)} is not a name`, {
        hint: "use letters, digits, _ and - (up to 100)",
      });
    }
    const queue = SCHEDULE_PREFIX + schedule.name;
    await this.ensureQueue(queue);
    try {
      // Once per firing across all workers: pg-boss sends each cron tick with a singleton key.
      await this.engine.schedule(queue, schedule.cron, schedule.data, { tz: "UTC", retryLimit: 0 });
    } catch (err) {
      throw new ConfigError(`--cron ${JSON.stringify(schedule.cron)} is not a cron expression: ${(err as Error).message}`, {
        hint: 'five fields, minute hour day month weekday, e.g. --cron "0 * * * *" (hourly, UTC)',
      });
    }
  }

  async listSchedules(): Promise<Schedule[]> {
    const all = await this.engine.getSchedules();
    return all
      .filter((s) => s.name.startsWith(SCHEDULE_PREFIX))
      .map((s) => ({ name: s.name.slice(SCHEDULE_PREFIX.length), cron: s.cron, data: s.data as ScheduleData }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async removeSchedule(name: string): Promise<boolean> {
    const queue = SCHEDULE_PREFIX + name;
    const known = (await this.engine.getSchedules()).some((s) => s.name === queue);
    if (!known) return false;
    await this.engine.unschedule(queue);
    await this.engine.deleteQueue(queue);
    return true;
  }

  async fetchFiredSchedule(): Promise<Delivered<ScheduleData & { schedule: string }> | undefined> {
    // The schedules' queues, re-read every 30 s so a schedule added later is served without a restart.
    if (Date.now() - this.scheduleQueues.at > 30_000) {
      const names = (await this.engine.getSchedules()).map((s) => s.name).filter((n) => n.startsWith(SCHEDULE_PREFIX));
      this.scheduleQueues = { at: Date.now(), names };
    }
    for (const queue of this.scheduleQueues.names) {
      const [job] = await this.engine.fetch<ScheduleData>(queue, { includeMetadata: true, batchSize: 1 });
      if (job) {
        return { id: job.id, data: { ...job.data, schedule: queue.slice(SCHEDULE_PREFIX.length) }, attempt: job.retryCount + 1 };
      }
    }
    return undefined;
  }

  async completeSchedule(id: string, scheduleName: string): Promise<void> {
    await this.engine.complete(SCHEDULE_PREFIX + scheduleName, id);
  }

  /** A query on the engine's connection pool (the shared limiter and token store live beside the queue). */
  async query<R>(sql: string, values: unknown[] = []): Promise<R[]> {
    const { rows } = await this.engine.getDb().executeSql(sql, values);
    return rows as R[];
  }
}
