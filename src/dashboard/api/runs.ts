import type { WorkingDir } from "../../pipeline/working-dir.js";
import { type PipelineAccess, loadIdTime, loadStatusWord, millisBetween } from "./access.js";

export interface LoadSummary {
  loadId: string;
  /** When extract started (the load id is that time). */
  startedAt: string | null;
  loadedAt: string | null;
  status: string;
  rows: number;
  rowsPerTable: Record<string, number>;
  /** Milliseconds per step, from the times the package recorded as it moved on. */
  steps: { extract: number | null; normalize: number | null; load: number | null };
  durationMs: number | null;
  schemaName: string;
  schemaVersion: number;
  schemaVersionHash: string;
  warnings: string[];
}

export interface FailedJob {
  loadId: string;
  /** The table file, or the step of a package moved aside. */
  job: string;
  /** The destination's (or the step's) own message. */
  message: string;
  at: string | null;
}

export interface TraceStepView {
  step: string;
  loadId: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
}

interface TraceFile {
  startedAt?: string;
  finishedAt?: string;
  destinationLocation?: string;
  steps?: Array<{ step: string; startedAt: string; finishedAt?: string; loadId?: string; error?: string }>;
  warnings?: string[];
}

export function readTrace(wd: WorkingDir): TraceFile | undefined {
  const t = wd.readTrace();
  return t && typeof t === "object" ? t : undefined;
}

export function traceSteps(trace: TraceFile | undefined): TraceStepView[] {
  return (trace?.steps ?? []).map((s) => ({
    step: s.step,
    loadId: s.loadId ?? null,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt ?? null,
    durationMs: millisBetween(s.startedAt, s.finishedAt),
    error: s.error ?? null,
  }));
}

/** The loaded packages the working dir keeps, oldest first, with what each one loaded. */
export function loadedPackages(wd: WorkingDir): LoadSummary[] {
  const store = wd.packages;
  return store.list("loaded").map((loadId) => {
    const m = store.readNormalizedManifest(loadId, "loaded");
    const { marker, schema } = store.readLoaded(loadId);
    const startedAt = loadIdTime(loadId);
    const loadedAt = marker?.loadedAt ?? null;
    const rows = Object.values(m.rowCounts).reduce((a, b) => a + b, 0);
    return {
      loadId,
      startedAt,
      loadedAt,
      status: marker?.status ?? "loaded",
      rows,
      rowsPerTable: m.rowCounts,
      steps: {
        extract: millisBetween(startedAt ?? undefined, m.createdAt),
        normalize: millisBetween(m.createdAt, m.normalizedAt),
        load: millisBetween(m.normalizedAt, loadedAt ?? undefined),
      },
      durationMs: millisBetween(startedAt ?? undefined, loadedAt ?? undefined),
      schemaName: schema.name,
      schemaVersion: schema.version,
      schemaVersionHash: schema.versionHash,
      warnings: m.warnings,
    };
  });
}

/**
 * Jobs the destination refused in packages still pending (with its message), and packages moved
 * aside after too many failed attempts (with the reason their step gave).
 */
export function failedJobs(wd: WorkingDir): FailedJob[] {
  const store = wd.packages;
  const out: FailedJob[] = [];
  for (const loadId of store.list("normalized")) {
    for (const file of store.jobFiles(loadId, "failed_jobs")) {
      out.push({ loadId, job: file, message: store.jobFailure(loadId, file) ?? "(no message recorded)", at: null });
    }
  }
  for (const f of store.failedPackages()) {
    out.push({ loadId: f.loadId, job: `${f.step} of the package (${f.attempts} attempts)`, message: f.reason, at: f.at || null });
  }
  return out;
}

/**
 * Runs and loads: the packages the working dir kept (rows per table, step durations, schema
 * version), the destination's `_dlt_loads` (what committed), the last run's trace steps and the
 * failed jobs. Counts in the answer are the lengths of its lists.
 */
export async function runsView(access: PipelineAccess, name: string): Promise<Record<string, unknown>> {
  const wd = access.workingDir(name);
  const trace = readTrace(wd);
  const packages = loadedPackages(wd).reverse();
  let destinationLoads: Array<Record<string, unknown>> = [];
  let destinationError: string | null = null;
  try {
    destinationLoads = await access.withSession(name, async (s) => {
      if (!(await s.tableNames()).includes("_dlt_loads")) return [];
      const r = await s.query("SELECT * FROM _dlt_loads ORDER BY load_id DESC");
      return r.rows.map((row) => ({
        loadId: String(row.load_id),
        schemaName: row.schema_name,
        status: loadStatusWord(row.status),
        insertedAt: row.inserted_at,
        schemaVersionHash: row.schema_version_hash ?? null,
      }));
    });
  } catch (err) {
    destinationError = err instanceof Error ? err.message : String(err);
  }
  return {
    name,
    lastRun: trace
      ? {
          startedAt: trace.startedAt ?? null,
          finishedAt: trace.finishedAt ?? null,
          durationMs: millisBetween(trace.startedAt, trace.finishedAt),
          steps: traceSteps(trace),
          warnings: trace.warnings ?? [],
        }
      : null,
    packages,
    destinationLoads,
    destinationError,
    failedJobs: failedJobs(wd),
    pending: { extracted: wd.packages.list("extracted"), normalized: wd.packages.list("normalized") },
  };
}
