import type { RootTableEntry } from "../../package/format.js";
import type { Schema, StoredSchema } from "../../schema/schema.js";
import { C_ID, C_ROOT_ID, LOADS_TABLE, STATE_TABLE, VERSION_TABLE } from "../../schema/system-tables.js";
import type { Table } from "../../schema/types.js";
import {
  jobsByTable,
  type DestinationClient,
  type LoadJob,
  type LoadRequest,
  type ReconcileResult,
  type ResultRow,
  type StateRow,
} from "../destination.js";
import type { FileStager } from "../staging.js";
import { stateRowFrom } from "../state-row.js";
import { orderedColumns } from "../sql/index.js";
import { ansiIdentifiersToBigQuery } from "./ansi-sql.js";
import { chainStatements } from "./commit-sql.js";
import type { BigQueryConnection } from "./connection.js";
import { bqColumnType, bqQuote, stagingColumn } from "./dialect.js";
import { COUNTS_COLUMNS, KEYS_COLUMNS, reconcileKeySet } from "./reconcile-sql.js";
import { recordLoad } from "./record-load.js";
import { logger } from "../../util/logger.js";
import { loadVerdict, recordedPackageId } from "../load-identity.js";

const log = logger("bigquery");

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
 * 5. the key sets (reconcile-sql.ts: counted first and the counts kept, then applied), then
 *    (record-load.ts) the schema version (skipped when its hash is stored), the state row, the
 *    quarantined items into `_dlt_rejected` and last the `_dlt_loads` row, each only when absent;
 * 6. the staging tables are dropped, and the key sets' counts handed to `onReconciled`.
 *
 * A crash anywhere before 5's last insert leaves no load row, and the next run repeats 2–6 with
 * the same result; after it, the next run stops at 1. `test/destinations/bigquery-commit.test.ts`
 * fails each write in turn and checks that the rerun ends as an uninterrupted load.
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

  async isLoaded(loadId: string, packageId?: string): Promise<boolean> {
    if (!(await this.hasTables(LOADS_TABLE))) return false;
    // SELECT *: datasets written by older engines have no package_id column.
    const rows = await this.conn.query(`SELECT * FROM ${this.qualified(LOADS_TABLE)} WHERE load_id = @load_id AND status = 0`, {
      load_id: loadId,
    });
    return loadVerdict(loadId, packageId, rows.map(recordedPackageId));
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
    if (await this.isLoaded(req.loadId, req.packageId)) return;
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
    const byTable = jobsByTable(req.jobs);
    const stagingTables: string[] = [];
    for (const entry of req.rootTables) {
      const root = req.schema.get(entry.table);
      if (!root) continue;
      await this.loadChain(req, entry, root, byTable, uris, stagingTables);
    }
    const reconciled = await this.reconcile(req, stagingTables);
    stagingTables.push(
      ...(await recordLoad(
        {
          conn: this.conn,
          qualified: (t, dataset) => this.qualified(t, dataset),
          stagingDataset: this.stagingDataset,
          stagingName: (t) => this.stagingName(t, req.loadId),
        },
        req,
      )),
    );
    if (reconciled.length > 0) req.onReconciled?.(reconciled);
    // Committed: a failure from here on leaves litter only, and failing the load would make the
    // pipeline retry a package the dataset already holds. The next load drops the staging tables;
    // staged files (with staging = "filesystem") stay in the bucket, so the warning names them.
    try {
      for (const t of stagingTables) await this.conn.execute(`DROP TABLE IF EXISTS ${t}`);
      await this.dropCommittedLeftovers();
      await this.stager?.cleanup(this.datasetName, req.loadId);
    } catch (err) {
      log.warn(
        `load ${req.loadId} committed, but cleaning up after it failed (${err instanceof Error ? err.message : String(err)}); the next load drops its staging tables${this.stager ? `, and its staged files stay under _staging/${req.loadId}/ in the bucket until removed` : ""}`,
      );
    }
  }

  /**
   * Staging tables of a load that committed but crashed before step 6. Its rerun stops at step 1
   * (the pipeline does not even call `load`), so the next load of the dataset drops them. Only
   * tables whose load id is in `_dlt_loads` go: a package another process is loading right now
   * has not committed, and its tables stay.
   */
  private async dropCommittedLeftovers(): Promise<void> {
    let rows: ResultRow[];
    try {
      rows = await this.conn.query(`SELECT table_name FROM ${bqQuote(this.stagingDataset)}.INFORMATION_SCHEMA.TABLES`);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (rows.length === 0) return;
    const committed = new Set(
      (await this.conn.query(`SELECT load_id FROM ${this.qualified(LOADS_TABLE)} WHERE status = 0`)).map((r) =>
        this.stagingName("", String(r.load_id)),
      ),
    );
    for (const r of rows) {
      const name = String(r.table_name);
      const suffix = name.slice(name.lastIndexOf("__"));
      if (committed.has(suffix)) await this.conn.execute(`DROP TABLE IF EXISTS ${this.qualified(name, this.stagingDataset)}`);
    }
  }

  /**
   * Step 5a: the key sets, after every chain's rows are in. Their keys go to one staging table by
   * one load job (remade on a rerun); the counts table is kept across reruns, since it holds what
   * each set found before it changed anything (see reconcile-sql.ts).
   */
  private async reconcile(req: LoadRequest, stagingTables: string[]): Promise<ReconcileResult[]> {
    const sets = req.reconcile ?? [];
    if (sets.length === 0) return [];
    const keysName = this.stagingName("_dlt_keys", req.loadId);
    const keys = this.qualified(keysName, this.stagingDataset);
    const counts = this.qualified(this.stagingName("_dlt_reconciled", req.loadId), this.stagingDataset);
    await this.conn.execute(`CREATE OR REPLACE TABLE ${keys} (${KEYS_COLUMNS})`);
    await this.conn.loadRows(
      this.stagingDataset,
      keysName,
      sets.flatMap((s, n) => s.keys.map((id) => ({ key_set: n, id }))),
    );
    await this.conn.execute(`CREATE TABLE IF NOT EXISTS ${counts} (${COUNTS_COLUMNS})`);
    stagingTables.push(keys, counts);
    const results: ReconcileResult[] = [];
    for (const [n, job] of sets.entries()) {
      results.push(
        await reconcileKeySet(
          { conn: this.conn, schema: req.schema, qualified: (t) => this.qualified(t), tables: { keys, counts } },
          job,
          n,
        ),
      );
    }
    return results;
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

  async dropDataset(): Promise<void> {
    await this.conn.dropDataset(this.datasetName);
    await this.conn.dropDataset(this.stagingDataset);
  }

  async close(): Promise<void> {
    try {
      await this.conn.close();
    } finally {
      await this.stager?.close();
    }
  }
}
