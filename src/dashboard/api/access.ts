import type { QuerySession } from "../../destinations/query-session.js";
import type { WorkingDir } from "../../pipeline/working-dir.js";

/** What the dashboard's views need of a pipeline: its working dir and a read-only query session. */
export interface PipelineAccess {
  /** Throws a ConfigError (HTTP 400) for a name that is not a pipeline of this dashboard. */
  workingDir(name: string): WorkingDir;
  withSession<T>(name: string, fn: (s: QuerySession) => Promise<T>): Promise<T>;
}

/** An SQL identifier, quoted (the only way a table or column name reaches SQL text here). */
export function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** An SQL string literal. */
export function quoteText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Milliseconds between two ISO times, or null when one is missing. */
export function millisBetween(from: string | undefined, to: string | undefined): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? ms : null;
}

/** A load id (unix seconds with a fraction) as an ISO time: when its extract started. */
export function loadIdTime(loadId: string): string | null {
  const seconds = Number(loadId);
  return Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null;
}

/** `_dlt_loads.status` in words (dlt: 0 is a committed load). */
export function loadStatusWord(status: unknown): string {
  return Number(status) === 0 ? "loaded" : `status ${String(status)}`;
}
