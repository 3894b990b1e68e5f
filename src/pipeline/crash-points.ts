/**
 * Named points where crash tests kill the process for real (SIGKILL: no finally blocks, no
 * flushes), to prove that the next run finishes the work without losing or duplicating rows.
 * Enabled only by `SAGE_PIPELINE_CRASH_AT=<point>`; a no-op otherwise.
 */
export type CrashPoint = "after_extract" | "after_normalize" | "after_load_commit";

export function crashPoint(point: CrashPoint): void {
  if (process.env.SAGE_PIPELINE_CRASH_AT === point) {
    process.kill(process.pid, "SIGKILL");
  }
}
