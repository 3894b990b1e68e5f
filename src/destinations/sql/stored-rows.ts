import { inflateSync } from "node:zlib";
import { LOADS_TABLE, STATE_TABLE, VERSION_TABLE } from "../../schema/system-tables.js";
import type { StoredSchema } from "../../schema/schema.js";
import type { StateRow } from "../destination.js";
import { stateRowFrom } from "../state-row.js";
import type { SqlConnection } from "./sql-connection.js";

/** What reading the bookkeeping tables needs from a SQL client: its session, names and table check. */
export interface StoredRowsSource {
  conn: SqlConnection;
  /** `"dataset"."table"` in the client's dialect. */
  qualified(table: string): string;
  quote(name: string): string;
  hasTable(name: string): Promise<boolean>;
}

/** The newest stored version of `schemaName` (`_dlt_version`), or undefined. */
export async function readStoredSchema(src: StoredRowsSource, schemaName: string): Promise<StoredSchema | undefined> {
  if (!(await src.hasTable(VERSION_TABLE))) return undefined;
  const rows = await src.conn.query(
    `SELECT ${src.quote("schema")} AS s FROM ${src.qualified(VERSION_TABLE)} WHERE schema_name = $1 ORDER BY version DESC, inserted_at DESC LIMIT 1`,
    [schemaName],
  );
  const s = rows[0]?.s;
  if (typeof s !== "string") return undefined;
  // dlt's rule: a schema too long for the text type is stored as base64(zlib(json)).
  const json = s.startsWith("{") ? s : inflateSync(Buffer.from(s, "base64")).toString("utf8");
  return JSON.parse(json) as StoredSchema;
}

/** The newest state row of `pipelineName` whose load completed (`_dlt_loads.status = 0`), or undefined. */
export async function readStoredState(src: StoredRowsSource, pipelineName: string): Promise<StateRow | undefined> {
  if (!(await src.hasTable(STATE_TABLE)) || !(await src.hasTable(LOADS_TABLE))) return undefined;
  const rows = await src.conn.query(
    `SELECT s.version, s.engine_version, s.pipeline_name, s.state, s.created_at, s.version_hash, s._dlt_load_id, s._dlt_id
       FROM ${src.qualified(STATE_TABLE)} AS s JOIN ${src.qualified(LOADS_TABLE)} AS l ON l.load_id = s._dlt_load_id
       WHERE s.pipeline_name = $1 AND l.status = 0 ORDER BY s.version DESC, l.load_id DESC LIMIT 1`,
    [pipelineName],
  );
  const r = rows[0];
  return r ? stateRowFrom(r) : undefined;
}
