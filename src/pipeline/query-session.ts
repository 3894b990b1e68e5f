import type { ConfigResolver } from "../config/resolver.js";
import { queryLimits, type QuerySession } from "../destinations/query-session.js";
import { ConfigError } from "../util/errors.js";
import type { Pipeline } from "./pipeline.js";

/** The location the last run recorded in its trace (`duckdb:/abs/file.duckdb`), if any. */
export function recordedLocation(trace: unknown): string | undefined {
  const location = (trace as { destinationLocation?: unknown } | undefined)?.destinationLocation;
  return typeof location === "string" ? location : undefined;
}

/**
 * `fn` on the destination's read-only query session for the pipeline's dataset (the database
 * refuses writes, file and network access and extensions; `[query]` limits apply), closed after.
 * Every surface that runs SQL for someone else (dashboard, MCP) opens it here.
 */
export async function withQuerySession<T>(p: Pipeline, config: ConfigResolver, fn: (s: QuerySession) => Promise<T>): Promise<T> {
  const destination = await p.destination();
  if (!destination.openQuerySession) {
    throw new ConfigError(`destination ${destination.name} offers no read-only query session`);
  }
  const location = recordedLocation(p.workingDir.readTrace());
  const session = await destination.openQuerySession({
    datasetName: p.datasetName,
    pipelineName: p.pipelineName,
    workingDir: p.workingDir.path,
    ...queryLimits(config),
    ...(location !== undefined ? { recordedLocation: location } : {}),
  });
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** Rows per data table (`_dlt_*` left out) of the session's dataset, given its table names. */
export async function sessionRowCounts(session: QuerySession, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of tables) {
    if (t.startsWith("_dlt_")) continue;
    const r = await session.query(`SELECT COUNT(*) AS n FROM "${t.replace(/"/g, '""')}"`);
    counts[t] = Number(r.rows[0]?.n ?? 0);
  }
  return counts;
}
