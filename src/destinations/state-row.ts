import type { StateRow } from "./destination.js";

/** A `_dlt_pipeline_state` row, as any destination reads it back (snake_case columns). */
export function stateRowFrom(r: Record<string, unknown>): StateRow {
  const created = r.created_at;
  return {
    version: Number(r.version),
    engineVersion: Number(r.engine_version),
    pipelineName: String(r.pipeline_name),
    state: String(r.state),
    createdAt: created instanceof Date ? created.toISOString() : String(created),
    versionHash: String(r.version_hash),
    loadId: String(r._dlt_load_id),
    dltId: String(r._dlt_id),
  };
}
