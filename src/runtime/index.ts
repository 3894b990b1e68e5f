export { WORKER_SPEC } from "./config.js";
export type { BusinessJob, JobQueue, JobRecord, JobState, Schedule, ScheduleData, Delivered, FailOutcome } from "./queue.js";
export { PgBossQueue, BUSINESS_QUEUE } from "./pg-boss-queue.js";
export { openQueue, resolveWorkerSettings, type WorkerSettings } from "./open-queue.js";
export { planBusinessJobs, type JobPlan } from "./plan-jobs.js";
export { runBusinessJob, businessPipelineName } from "./run-job.js";
export { Worker, failureReason, type WorkerEvent } from "./worker.js";
export { runWorker, type RunWorkerOptions } from "./run-worker.js";
export { formatJobs } from "./jobs-table.js";
