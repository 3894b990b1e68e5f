import { LOADS_TABLE, REJECTED_TABLE, STATE_TABLE, VERSION_TABLE, rejectedRow } from "../../schema/system-tables.js";
import type { Table } from "../../schema/types.js";
import type { LoadRequest, ResultRow } from "../destination.js";
import { dbxLiteral, dbxQuote } from "./dialect.js";
import type { CommitStep } from "./row-changes.js";

/** `_dlt_pipeline_state` rows kept per pipeline (dlt keeps all; its users' tables grew to GBs). */
const KEEP_STATE_ROWS = 10;

export interface RecordContext {
  /** Qualified dataset table. */
  qualified: (table: string) => string;
  select: (sql: string) => Promise<ResultRow[]>;
  execute: (sql: string) => Promise<void>;
  apply: (step: CommitStep) => Promise<void>;
  /** A new per-load staging table of `table`'s columns holding `rows`, read from a file as the package's rows are; its qualified name. */
  stageRows: (table: Table, rows: Array<Record<string, unknown>>) => Promise<string>;
}

/**
 * Step 5 of the commit: the schema version (when its hash is new), the state row, the quarantined
 * items and then the `_dlt_loads` row, each written only when absent, so that a rerun after a
 * crash at any of them adds nothing twice; the `_dlt_loads` row is the commit.
 */
export async function recordLoad(c: RecordContext, req: LoadRequest): Promise<void> {
  const schema = req.schema;
  const name = dbxLiteral(schema.name);
  const latest = await c.select(
    `SELECT version_hash FROM ${c.qualified(VERSION_TABLE)} WHERE schema_name = ${name} ORDER BY version DESC, inserted_at DESC LIMIT 1`,
  );
  if (latest[0]?.version_hash !== schema.versionHash) {
    await c.execute(
      `INSERT INTO ${c.qualified(VERSION_TABLE)} (version, engine_version, inserted_at, schema_name, version_hash, ${dbxQuote("schema")}) VALUES (${schema.version}, 1, CURRENT_TIMESTAMP(), ${name}, ${dbxLiteral(schema.versionHash)}, ${dbxLiteral(JSON.stringify(schema.toJSON()))})`,
    );
  }
  const loadId = dbxLiteral(req.loadId);
  if (req.stateRow) await recordState(c, req);
  await recordRejected(c, req);
  const loads = c.qualified(LOADS_TABLE);
  // Rerun after a crash: this package's row is there already. Another package's row with the same
  // load id (a concurrent worker that drew it) does not stop this one's.
  const packageId = req.packageId === undefined ? "NULL" : dbxLiteral(req.packageId);
  const samePackage = req.packageId === undefined ? "TRUE" : `(package_id IS NULL OR package_id = ${packageId})`;
  await c.execute(
    `INSERT INTO ${loads} (load_id, schema_name, status, inserted_at, schema_version_hash, package_id)
     SELECT ${loadId}, ${name}, 0, CURRENT_TIMESTAMP(), ${dbxLiteral(schema.versionHash)}, ${packageId} WHERE NOT EXISTS (SELECT 1 FROM ${loads} WHERE load_id = ${loadId} AND ${samePackage})`,
  );
}

async function recordState(c: RecordContext, req: LoadRequest): Promise<void> {
  const s = req.stateRow!;
  const t = c.qualified(STATE_TABLE);
  const loadId = dbxLiteral(req.loadId);
  const pipeline = dbxLiteral(s.pipelineName);
  await c.execute(
    `INSERT INTO ${t} (version, engine_version, pipeline_name, state, created_at, version_hash, _dlt_load_id, _dlt_id)
     SELECT ${s.version}, ${s.engineVersion}, ${pipeline}, ${dbxLiteral(s.state)}, CAST(${dbxLiteral(s.createdAt)} AS TIMESTAMP), ${dbxLiteral(s.versionHash)}, ${loadId}, ${dbxLiteral(s.dltId)}
     WHERE NOT EXISTS (SELECT 1 FROM ${t} WHERE _dlt_load_id = ${loadId} AND pipeline_name = ${pipeline})`,
  );
  // The oldest version kept is read first: Databricks' DELETE takes no subquery inside a subquery,
  // and a trim that finds nothing to remove changes nothing (a DELETE is a Delta commit).
  const newest = await c.select(
    `SELECT version FROM ${t} WHERE pipeline_name = ${pipeline} ORDER BY version DESC LIMIT ${KEEP_STATE_ROWS + 1}`,
  );
  if (newest.length > KEEP_STATE_ROWS) {
    const oldestKept = Number(newest[KEEP_STATE_ROWS - 1]!.version);
    await c.apply({ kind: "delete", table: t, where: `pipeline_name = ${pipeline} AND version < ${oldestKept}` });
  }
}

/**
 * The package's quarantined items into `_dlt_rejected`: a staging table holds them (filled from a
 * file, as rows are), and one INSERT moves all of them unless the load id is there already. A
 * statement commits whole, so the table holds all of a package's items or none, and a rerun adds
 * none twice.
 */
async function recordRejected(c: RecordContext, req: LoadRequest): Promise<void> {
  const items = req.rejected ?? [];
  const table = req.schema.get(REJECTED_TABLE);
  if (items.length === 0 || !table) return;
  const at = new Date().toISOString();
  const staging = await c.stageRows(
    table,
    items.map((item) => rejectedRow(item, at)),
  );
  const list = Object.values(table.columns)
    .map((col) => dbxQuote(col.name))
    .join(", ");
  const target = c.qualified(REJECTED_TABLE);
  await c.execute(
    `INSERT INTO ${target} (${list}) SELECT ${list} FROM ${staging} WHERE NOT EXISTS (SELECT 1 FROM ${target} WHERE load_id = ${dbxLiteral(req.loadId)})`,
  );
}
