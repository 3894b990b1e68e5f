/**
 * The queue seam: what the workers, `enqueue`, `jobs` and `schedule` need from a queue engine.
 * pg-boss (pg-boss-queue.ts) is the one implementation; BullMQ would be a second file with the
 * same shape. Delivery is at least once: a job can run again after a worker died mid-job, which
 * the pipeline's load protocol turns into exactly-once data.
 */

/** One business of one Sage login: what a worker needs to run it. */
export interface BusinessJob {
  /** The Sage login (its client id): the key of the shared token store. */
  login: string;
  businessId: string;
  businessName: string;
  /** Resource names; undefined: the configured or default ones. */
  resources?: string[];
  /** The pipeline name of every business's pipeline starts with this (`<prefix>_<business id>`). */
  pipelineName: string;
  datasetName: string;
  /** Who put it there: `enqueue`, or `schedule <name>`. */
  origin: string;
}

/** A schedule's job: when it fires, a worker enqueues one BusinessJob per selected business. */
export interface ScheduleData {
  businesses?: string[];
  resources?: string[];
  pipelineName: string;
  datasetName: string;
}

export interface Delivered<T> {
  id: string;
  data: T;
  /** 1 for the first delivery. */
  attempt: number;
}

export type JobState = "queued" | "running" | "retry" | "failed" | "done" | "cancelled";

/** One row of `sage-pipeline jobs`. */
export interface JobRecord {
  id: string;
  state: JobState;
  businessId: string;
  businessName: string;
  attempts: number;
  retryLimit: number;
  lastError: string | undefined;
  createdAt: Date;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  durationMs: number | undefined;
}

export interface Schedule {
  name: string;
  cron: string;
  data: ScheduleData;
}

/** What became of a failed job: retried later, or parked for good. */
export type FailOutcome = "retry" | "parked";

export interface JobQueue {
  /** Connect, create the engine's tables and queues when missing. */
  start(): Promise<void>;
  /** Nothing more from this worker; `close` ends the connections too. */
  stop(): Promise<void>;
  enqueue(jobs: BusinessJob[]): Promise<string[]>;
  /** The next business job for this worker, if any. */
  fetchJob(): Promise<Delivered<BusinessJob> | undefined>;
  complete(id: string, output: Record<string, unknown>): Promise<void>;
  /** Record the failure (message already redacted); the engine retries with backoff or parks it. */
  fail(id: string, message: string): Promise<FailOutcome>;
  /** Give a job back untouched (a worker stopping before it got far): another worker takes it. */
  handBack(id: string): Promise<void>;
  list(): Promise<JobRecord[]>;
  /** Jobs waiting (queued or waiting to retry). */
  depth(): Promise<number>;

  addSchedule(schedule: Schedule): Promise<void>;
  listSchedules(): Promise<Schedule[]>;
  /** False when there was no such schedule. */
  removeSchedule(name: string): Promise<boolean>;
  /** A fired schedule, if any (every worker asks; the engine hands each firing to one). */
  fetchFiredSchedule(): Promise<Delivered<ScheduleData & { schedule: string }> | undefined>;
  completeSchedule(id: string, scheduleName: string): Promise<void>;
}
