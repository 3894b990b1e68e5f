import type { RootTableEntry } from "../../package/format.js";
import type { Schema, StoredSchema } from "../../schema/schema.js";
import { C_ID, C_ROOT_ID, LOADS_TABLE, STATE_TABLE, VERSION_TABLE } from "../../schema/system-tables.js";
import type { Table } from "../../schema/types.js";
import type { DestinationClient, LoadJob, LoadRequest, ResultRow, StateRow } from "../destination.js";
import type { FileStager } from "../staging.js";
import { stateRowFrom } from "../state-row.js";
import { orderedColumns } from "../sql/index.js";
import { logger } from "../../util/logger.js";
import { ansiIdentifiersToBigQuery } from "./ansi-sql.js";
import { chainStatements } from "./commit-sql.js";
import type { BigQueryConnection } from "./connection.js";
import { bqColumnType, bqQuote, stagingColumn } from "./dialect.js";

const KEEP_STATE_ROWS = 10;

function isNotFound(err: unknown): boolean {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  return e.code === 404 || (typeof e.message === "string" && /not found/i.test(e.message));
}

/**
 * A BigQuery dataset. A package commits by idempotent steps with `_dlt_loads` last, because
 * BigQuery has no transaction over DDL, load jobs and DML together:
 *
 * 1. the package's load id in `_dlt_loads` means it committed: nothing to do;
 * 2. migrate: create missing tables, add missing columns (both no-ops when done);
 * 3. with `staging = "filesystem"` the package's files are uploaded to the gs:// bucket first;
 *    per table with rows, a staging table `<dataset>_staging.<table>__<load_id>` is created anew
 *    (CREATE OR REPLACE) and filled by load jobs from the package's files; a root's superseded
 *    rows (a later row in the package has the same key) and their children are deleted from it;
 * 4. per table chain, the write disposition's statements (commit-sql.ts), each idempotent;
 * 5. the schema version (skipped when its hash is stored), the state row and then the `_dlt_loads`
 *    row, each inserted only when absent;
 * 6. the staging tables are dropped.
 *
 * A crash anywhere before 5's last insert leaves no load row, and the next run repeats 2–6 with
 * the same result; after it, the next run stops at 1.
 */
export class BigQueryClient implements DestinationClient {
  readonly stagingDataset: string;

  constructor(
    readonly datasetName: string,
    private readonly conn: BigQueryConnection,
    private readonly stager?: FileStager,
  ) {
    this.stagingDataset = `${datasetName}_staging`;
  }

  qualified(table: string, dataset = this.datasetName): string {
    return `${bqQuote(dataset)}.${bqQuote(table)}`;
  }

  private async existingColumns(): Promise<Map<string, Set<string>>> {
    let rows: ResultRow[];
    try {
      rows = await this.conn.query(`SELECT table_name, column_name FROM ${bqQuote(this.datasetName)}.INFORMATION_SCHEMA.COLUMNS`);
    } catch (err) {
      if (isNotFound(err)) return new Map();
      throw err;
    }
    const out = new Map<string, Set<string>>();
    for (const r of rows) {
      const t = String(r.table_name);
      let s = out.get(t);
      if (!s) out.set(t, (s = new Set()));
      s.add(String(r.column_name));
    }
    return out;
  }

  async tableNames(): Promise<string[]> {
    return [...(await this.existingColumns()).keys()].sort();
  }

  private async hasTables(...names: string[]): Promise<boolean> {
    const have = await this.existingColumns();
    return names.every((n) => have.has(n));
  }

  async isLoaded(loadId: string): Promise<boolean> {
    if (!(await this.hasTables(LOADS_TABLE))) return false;
    const rows = await this.conn.query(
      `SELECT 1 AS x FROM ${this.qualified(LOADS_TABLE)} WHERE load_id = @load_id AND status = 0 LIMIT 1`,
      { load_id: loadId },
    );
    return rows.length > 0;
  }

  async storedSchema(schemaName: string): Promise<StoredSchema | undefined> {
    if (!(await this.hasTables(VERSION_TABLE))) return undefined;
    const rows = await this.conn.query(
      `SELECT ${bqQuote("schema")} AS s FROM ${this.qualified(VERSION_TABLE)} WHERE schema_name = @name ORDER BY version DESC, inserted_at DESC LIMIT 1`,
      { name: schemaName },
    );
    const s = rows[0]?.s;
    return typeof s === "string" ? (JSON.parse(s) as StoredSchema) : undefined;
  }

  async storedState(pipelineName: string): Promise<StateRow | undefined> {
    if (!(await this.hasTables(STATE_TABLE, LOADS_TABLE))) return undefined;
    const rows = await this.conn.query(
      `SELECT s.version, s.engine_version, s.pipeline_name, s.state, s.created_at, s.version_hash, s._dlt_load_id, s._dlt_id
       FROM ${this.qualified(STATE_TABLE)} AS s JOIN ${this.qualified(LOADS_TABLE)} AS l ON l.load_id = s._dlt_load_id
       WHERE s.pipeline_name = @name AND l.status = 0 ORDER BY s.version DESC, l.load_id DESC LIMIT 1`,
      { name: pipelineName },
    );
    return rows[0] ? stateRowFrom(rows[0]) : undefined;
  }

  /** SQL as DuckDB and Postgres take it (`"name"` is a name); unqualified tables are the dataset's. */
  async query(sql: string): Promise<ResultRow[]> {
    return this.conn.query(ansiIdentifiersToBigQuery(sql), undefined, this.datasetName);
  }

  private async migrate(schema: Schema): Promise<void> {
    await this.conn.execute(`CREATE SCHEMA IF NOT EXISTS ${bqQuote(this.datasetName)}`);
    const existing = await this.existingColumns();
    for (const t of schema.tables.values()) {
      if (Object.keys(t.columns).length === 0) continue;
      const have = existing.get(t.name);
      if (!have) {
        const defs = orderedColumns(t).map((c) => `${bqQuote(c.name)} ${bqColumnType(c)}${c.nullable ? "" : " NOT NULL"}`);
        await this.conn.execute(`CREATE TABLE IF NOT EXISTS ${this.qualified(t.name)} (${defs.join(", ")})`);
        continue;
      }
      for (const c of Object.values(t.columns)) {
        // BigQuery cannot add a REQUIRED column to a table with rows: added columns are NULLABLE.
        if (!have.has(c.name)) {
          await this.conn.execute(
            `ALTER TABLE ${this.qualified(t.name)} ADD COLUMN IF NOT EXISTS ${bqQuote(c.name)} ${bqColumnType(c)}`,
          );
        }
      }
    }
  }

  private stagingName(table: string, loadId: string): string {
    return `${table}__${loadId.replace(/[^A-Za-z0-9_]/g, "_")}`;
  }

  /** Step 3 for one table: a fresh staging table filled by load jobs. */
  private async stage(table: Table, loadId: string, jobs: LoadJob[], uris: Map<LoadJob, string>): Promise<string> {
    const name = this.stagingName(table.name, loadId);
    const qualified = this.qualified(name, this.stagingDataset);
    const defs = Object.values(table.columns).map((c) => `${bqQuote(c.name)} ${stagingColumn(c).type}`);
    await this.conn.execute(`CREATE OR REPLACE TABLE ${qualified} (${defs.join(", ")})`);
    const remote = jobs.map((j) => uris.get(j)).filter((u): u is string => u !== undefined);
    if (remote.length === jobs.length) await this.conn.loadUris(this.stagingDataset, name, remote);
    else for (const j of jobs) await this.conn.loadFile(this.stagingDataset, name, j.path);
    return qualified;
  }

  async load(req: LoadRequest): Promise<void> {
    if (await this.isLoaded(req.loadId)) return;
    warnNotApplied(req);
    // Idempotent like every step here; a drop package has no rows, so no step between this and
    // `_dlt_loads` can bring a dropped table back.
    for (const t of req.dropTables ?? []) await this.conn.execute(`DROP TABLE IF EXISTS ${this.qualified(t)}`);
    await this.migrate(req.schema);
    await this.conn.execute(`CREATE SCHEMA IF NOT EXISTS ${bqQuote(this.stagingDataset)}`);
    const uris = new Map<LoadJob, string>();
    if (this.stager && req.jobs.length > 0) {
      const staged = await this.stager.stage(this.datasetName, req.loadId, req.jobs);
      req.jobs.forEach((j, i) => uris.set(j, staged[i]!));
    }
    const byTable = new Map<string, LoadJob[]>();
    for (const j of req.jobs) byTable.set(j.table, [...(byTable.get(j.table) ?? []), j]);
    const stagingTables: string[] = [];
    for (const entry of req.rootTables) {
      const root = req.schema.get(entry.table);
      if (!root) continue;
      await this.loadChain(req, entry, root, byTable, uris, stagingTables);
    }
    await this.recordLoad(req);
    for (const t of stagingTables) await this.conn.execute(`DROP TABLE IF EXISTS ${t}`);
    await this.stager?.cleanup(this.datasetName, req.loadId);
  }

  private async loadChain(
    req: LoadRequest,
    entry: RootTableEntry,
    root: Table,
    byTable: Map<string, LoadJob[]>,
    uris: Map<LoadJob, string>,
    stagingTables: string[],
  ): Promise<void> {
    const children = req.schema.descendants(root.name);
    const staged = new Map<string, string>();
    for (const t of [root, ...children]) {
      const jobs = byTable.get(t.name);
      if (!jobs || jobs.length === 0) continue;
      const s = await this.stage(t, req.loadId, jobs, uris);
      staged.set(t.name, s);
      stagingTables.push(s);
      for (const j of jobs) req.onJobStaged?.(j);
    }
    const superseded = req.superseded?.[root.name] ?? [];
    if (superseded.length > 0 && staged.has(root.name)) {
      for (const child of children) {
        const s = staged.get(child.name);
        if (s) await this.conn.execute(`DELETE FROM ${s} WHERE ${bqQuote(C_ROOT_ID)} IN UNNEST(@ids)`, { ids: superseded });
      }
      await this.conn.execute(`DELETE FROM ${staged.get(root.name)!} WHERE ${bqQuote(C_ID)} IN UNNEST(@ids)`, {
        ids: superseded,
      });
    }
    const statements = chainStatements({
      root,
      children,
      disposition: entry.writeDisposition,
      target: (t) => this.qualified(t),
      staged,
    });
    for (const sql of statements) await this.conn.execute(sql);
  }

  /** Step 5: each row inserted only when absent, `_dlt_loads` last. */
  private async recordLoad(req: LoadRequest): Promise<void> {
    const schema = req.schema;
    const latest = await this.conn.query(
      `SELECT version_hash FROM ${this.qualified(VERSION_TABLE)} WHERE schema_name = @name ORDER BY version DESC, inserted_at DESC LIMIT 1`,
      { name: schema.name },
    );
    if (latest[0]?.version_hash !== schema.versionHash) {
      await this.conn.execute(
        `INSERT INTO ${this.qualified(VERSION_TABLE)} (version, engine_version, inserted_at, schema_name, version_hash, ${bqQuote("schema")}) VALUES (@version, 1, CURRENT_TIMESTAMP(), @name, @hash, @schema)`,
        { version: schema.version, name: schema.name, hash: schema.versionHash, schema: JSON.stringify(schema.toJSON()) },
      );
    }
    const s = req.stateRow;
    if (s) {
      const t = this.qualified(STATE_TABLE);
      await this.conn.execute(
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
      await this.conn.execute(
        `DELETE FROM ${t} WHERE pipeline_name = @name AND version < (SELECT MIN(version) FROM (SELECT version FROM ${t} WHERE pipeline_name = @name ORDER BY version DESC LIMIT ${KEEP_STATE_ROWS}))`,
        { name: s.pipelineName },
      );
    }
    const loads = this.qualified(LOADS_TABLE);
    await this.conn.execute(
      `INSERT INTO ${loads} (load_id, schema_name, status, inserted_at, schema_version_hash)
       SELECT @load_id, @name, 0, CURRENT_TIMESTAMP(), @hash FROM (SELECT 1) WHERE NOT EXISTS (SELECT 1 FROM ${loads} WHERE load_id = @load_id)`,
      { load_id: req.loadId, name: schema.name, hash: schema.versionHash },
    );
  }

  async dropDataset(): Promise<void> {
    await this.conn.dropDataset(this.datasetName);
    await this.conn.dropDataset(this.stagingDataset);
  }

  async close(): Promise<void> {
    await this.conn.close();
    await this.stager?.close();
  }
}

const log = logger("bigquery");

/**
 * What this destination does not do yet, said on every load it affects rather than skipped in
 * silence: key-set reconciliation (hard deletes found by listing ids) and the `_dlt_rejected` table.
 */
function warnNotApplied(req: LoadRequest): void {
  const sets = req.reconcile ?? [];
  if (sets.length > 0) {
    const tables = [...new Set(sets.map((s) => s.table))].join(", ");
    log.warn(
      `load ${req.loadId}: reconciliation is not applied on BigQuery yet: ${sets.length} key set(s) of ${tables} not compared, so rows the source no longer lists stay live (DuckDB, Postgres, filesystem and Redshift apply them)`,
    );
  }
  const rejected = req.rejected?.length ?? 0;
  if (rejected > 0) {
    log.warn(
      `load ${req.loadId}: ${rejected} quarantined item(s) are not written to _dlt_rejected on BigQuery yet; they are in the package's rejected.jsonl and listed by \`sage-pipeline pipeline <name> failed-jobs\``,
    );
  }
}
