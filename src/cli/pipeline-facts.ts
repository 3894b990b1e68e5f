import type { ConfigResolver } from "../config/resolver.js";
import { Pipeline } from "../pipeline/pipeline.js";
import { sessionRowCounts, withQuerySession } from "../pipeline/query-session.js";
import type { PipelineState } from "../pipeline/state.js";
import { errorMessage } from "../util/errors.js";

/** One incremental cursor (or other per-resource fact) of the state, flattened for a table. */
export interface CursorRow {
  source: string;
  resource: string;
  /** The business (Sage) or company (ZA) the value belongs to; empty for a resource-wide value. */
  partition: string;
  key: string;
  value: string;
}

function leaves(value: unknown, path: string, out: Array<[string, string]>): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  } else if (Array.isArray(value)) {
    out.push([path, `${value.length} value(s)`]);
  } else {
    out.push([path, String(value)]);
  }
}

/**
 * The state's per-resource values as rows: the Sage sources keep them per business
 * (`resources.<r>.businesses.<id>`), the ZA source per company, a REST source per resource.
 */
export function cursorRows(state: PipelineState): CursorRow[] {
  const rows: CursorRow[] = [];
  for (const [source, s] of Object.entries(state.sources)) {
    const resources = (s as { resources?: Record<string, unknown> }).resources ?? {};
    for (const [resource, r] of Object.entries(resources)) {
      const record = (r ?? {}) as Record<string, unknown>;
      for (const [group, value] of Object.entries(record)) {
        const partitioned = (group === "businesses" || group === "companies") && value !== null && typeof value === "object";
        if (partitioned) {
          for (const [partition, facts] of Object.entries(value as Record<string, unknown>)) {
            const found: Array<[string, string]> = [];
            leaves(facts, "", found);
            for (const [key, v] of found) rows.push({ source, resource, partition, key, value: v });
          }
        } else {
          const found: Array<[string, string]> = [];
          leaves(value, group, found);
          for (const [key, v] of found) rows.push({ source, resource, partition: "", key, value: v });
        }
      }
    }
  }
  return rows;
}

/** Rows per data table, read through the destination's read-only session; `error` when it is unreachable. */
export async function datasetRowCounts(
  pipelinesDir: string,
  state: PipelineState,
  config: ConfigResolver,
): Promise<{ counts: Record<string, number> } | { error: string }> {
  const p = new Pipeline({
    pipelineName: state.pipelineName,
    datasetName: state.datasetName,
    destination: state.destinationName ?? "duckdb",
    pipelinesDir,
    config,
    restoreFromDestination: false,
  });
  try {
    return await withQuerySession(p, config, async (session) => ({
      counts: await sessionRowCounts(session, await session.tableNames()),
    }));
  } catch (err) {
    return { error: errorMessage(err) };
  }
}
