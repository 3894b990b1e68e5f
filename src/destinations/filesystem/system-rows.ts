import { SCHEMA_ENGINE_VERSION, type Schema } from "../../schema/schema.js";
import type { LoadRequest } from "../destination.js";

/**
 * The rows of the `_dlt_version` and `_dlt_pipeline_state` files, one JSON line each, with the
 * columns (and values) the SQL destinations store in those tables.
 */
export function versionLine(schema: Schema, insertedAt: string): string {
  return `${JSON.stringify({
    version: schema.version,
    engine_version: SCHEMA_ENGINE_VERSION,
    inserted_at: insertedAt,
    schema_name: schema.name,
    version_hash: schema.versionHash,
    schema: JSON.stringify(schema.toJSON()),
  })}\n`;
}

export function stateLine(s: NonNullable<LoadRequest["stateRow"]>, loadId: string): string {
  return `${JSON.stringify({
    version: s.version,
    engine_version: s.engineVersion,
    pipeline_name: s.pipelineName,
    state: s.state,
    created_at: s.createdAt,
    version_hash: s.versionHash,
    _dlt_load_id: loadId,
    _dlt_id: s.dltId,
  })}\n`;
}
