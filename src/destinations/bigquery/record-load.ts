import type { Schema } from "../../schema/schema.js";
import { LOADS_TABLE, REJECTED_TABLE, STATE_TABLE, VERSION_TABLE, rejectedRow } from "../../schema/system-tables.js";
import type { LoadRequest } from "../destination.js";
import type { BigQueryConnection } from "./connection.js";
import { bqColumnType, bqQuote } from "./dialect.js";

const KEEP_STATE_ROWS = 10;

export interface RecordContext {
  conn: BigQueryConnection;
  /** Qualified table of the dataset, or of another dataset (the staging one). */
  qualified: (table: string, dataset?: string) => string;
  stagingDataset: string;
  /** The staging table name for one of this load's tables. */
  stagingName: (table: string) => string;
}

/**
 * Step 5 of the commit: the schema version (when its hash is new), the state row, the
 * quarantined items and then the `_dlt_loads` row, each written only when absent so that a rerun
 * after a crash at any of them adds nothing twice. Returns the staging tables it made.
 */
export async function recordLoad(c: RecordContext, req: LoadRequest): Promise<string[]> {
  await recordVersion(c, req.schema);
  if (req.stateRow) await recordState(c, req);
  const staged = await recordRejected(c, req);
  const loads = c.qualified(LOADS_TABLE);
  // Rerun after a crash: this package's row is there already. Another package's row with the same
  // load id (a concurrent worker that drew it) does not stop this one's. (A NULL parameter would
  // need a declared type, so an older package's missing id is written as a literal.)
  const packageId = req.packageId === undefined ? "CAST(NULL AS STRING)" : "@package_id";
  const samePackage = req.packageId === undefined ? "TRUE" : "(package_id IS NULL OR package_id = @package_id)";
  await c.conn.execute(
    `INSERT INTO ${loads} (load_id, schema_name, status, inserted_at, schema_version_hash, package_id)
     SELECT @load_id, @name, 0, CURRENT_TIMESTAMP(), @hash, ${packageId} FROM (SELECT 1)
     WHERE NOT EXISTS (SELECT 1 FROM ${loads} WHERE load_id = @load_id AND ${samePackage})`,
    {
      load_id: req.loadId,
      name: req.schema.name,
      hash: req.schema.versionHash,
      ...(req.packageId === undefined ? {} : { package_id: req.packageId }),
    },
  );
  return staged;
}

async function recordVersion(c: RecordContext, schema: Schema): Promise<void> {
  const latest = await c.conn.query(
    `SELECT version_hash FROM ${c.qualified(VERSION_TABLE)} WHERE schema_name = @name ORDER BY version DESC, inserted_at DESC LIMIT 1`,
    { name: schema.name },
  );
  if (latest[0]?.version_hash === schema.versionHash) return;
  await c.conn.execute(
    `INSERT INTO ${c.qualified(VERSION_TABLE)} (version, engine_version, inserted_at, schema_name, version_hash, ${bqQuote("schema")}) VALUES (@version, 1, CURRENT_TIMESTAMP(), @name, @hash, @schema)`,
    { version: schema.version, name: schema.name, hash: schema.versionHash, schema: JSON.stringify(schema.toJSON()) },
  );
}

async function recordState(c: RecordContext, req: LoadRequest): Promise<void> {
  const s = req.stateRow!;
  const t = c.qualified(STATE_TABLE);
  await c.conn.execute(
    `INSERT INTO ${t} (version, engine_version, pipeline_name, state, created_at, version_hash, _dlt_load_id, _dlt_id)
     SELECT @version, @engine, @name, @state, TIMESTAMP(@created), @hash, @load_id, @id FROM (SELECT 1)
     WHERE NOT EXISTS (SELECT 1 FROM ${t} WHERE _dlt_load_id = @load_id AND pipeline_name = @name)`,
    {
      version: s.version,
      engine: s.engineVersion,
      name: s.pipelineName,
      state: s.state,
      created: s.createdAt,
      hash: s.versionHash,
      load_id: req.loadId,
      id: s.dltId,
    },
  );
  await c.conn.execute(
    `DELETE FROM ${t} WHERE pipeline_name = @name AND version < (SELECT MIN(version) FROM (SELECT version FROM ${t} WHERE pipeline_name = @name ORDER BY version DESC LIMIT ${KEEP_STATE_ROWS}))`,
    { name: s.pipelineName },
  );
}

/**
 * The package's quarantined items into `_dlt_rejected`: a load job fills a staging table, and one
 * INSERT moves all of them unless the load id is there already (a statement commits whole, so
 * the table holds all of a package's items or none).
 */
async function recordRejected(c: RecordContext, req: LoadRequest): Promise<string[]> {
  const items = req.rejected ?? [];
  const table = req.schema.get(REJECTED_TABLE);
  if (items.length === 0 || !table) return [];
  const name = c.stagingName(REJECTED_TABLE);
  const staging = c.qualified(name, c.stagingDataset);
  const columns = Object.values(table.columns);
  await c.conn.execute(
    `CREATE OR REPLACE TABLE ${staging} (${columns.map((col) => `${bqQuote(col.name)} ${bqColumnType(col)}`).join(", ")})`,
  );
  const at = new Date().toISOString();
  await c.conn.loadRows(
    c.stagingDataset,
    name,
    items.map((item) => rejectedRow(item, at)),
  );
  const list = columns.map((col) => bqQuote(col.name)).join(", ");
  const target = c.qualified(REJECTED_TABLE);
  await c.conn.execute(
    `INSERT INTO ${target} (${list}) SELECT ${list} FROM ${staging} WHERE NOT EXISTS (SELECT 1 FROM ${target} WHERE load_id = @load_id)`,
    { load_id: req.loadId },
  );
  return [staging];
}
