/**
 * Named points where crash tests kill the process for real (SIGKILL: no finally blocks, no
 * flushes), to prove that the next run finishes the work without losing or duplicating rows.
 * Enabled only by `SAGE_PIPELINE_CRASH_AT=<point>` (the first time the point is reached) or
 * `<point>:<n>` (the n-th time: after n pages, n staged jobs...); a no-op otherwise.
 */
export const CRASH_POINTS = [
  /** After a page of a resource was written to the package's temp folder (extract in flight). */
  "extract_page",
  /** The extracted package is complete in its `.tmp` folder, not yet renamed into extracted/. */
  "before_extract_commit",
  /** Renamed into extracted/: committed locally, not normalized. */
  "after_extract",
  /** The normalized package is complete in its `.tmp` folder (schema written), not renamed. */
  "before_normalize_commit",
  /** Renamed into normalized/ (the extracted folder may still be there). */
  "after_normalize",
  /** Inside the load transaction: a job's file was staged, nothing committed. */
  "load_job_staged",
  /** The load transaction committed; the package is still in normalized/. */
  "after_load_commit",
  /** Job files moved to completed_jobs, the package not yet renamed into loaded/. */
  "load_jobs_completed",
  /** Renamed into loaded/, the local state.json not yet written. */
  "after_load_rename",
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

const hits = new Map<CrashPoint, number>();

export function crashPoint(point: CrashPoint): void {
  const spec = process.env.SAGE_PIPELINE_CRASH_AT;
  if (!spec) return;
  const [name, nth] = spec.split(":");
  if (name !== point) return;
  const n = (hits.get(point) ?? 0) + 1;
  hits.set(point, n);
  if (n >= Number(nth ?? "1")) process.kill(process.pid, "SIGKILL");
}
