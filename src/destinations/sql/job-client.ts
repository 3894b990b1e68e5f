import { randomBytes } from "node:crypto";
import { deflateSync } from "node:zlib";
import type { Schema, StoredSchema } from "../../schema/schema.js";
import { LOADS_TABLE, REJECTED_TABLE, STATE_TABLE, VERSION_TABLE, rejectedRow } from "../../schema/system-tables.js";
import { PipelineError } from "../../util/errors.js";
import type { RootTableEntry } from "../../package/format.js";
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
import { createTableSql } from "./ddl.js";
import type { Ingest, SqlDialect } from "./dialect.js";
import { type ChainSql, appendSql, clearChainSql, hasMergeKeys, mergeSql, replaceSql } from "./dispositions.js";
import { reconcileTable } from "./reconcile.js";
import { readStoredSchema, readStoredState, type StoredRowsSource } from "./stored-rows.js";
import type { SqlConnection } from "./sql-connection.js";
import { loadVerdict, recordedPackageId } from "../load-identity.js";

/** How many `_dlt_pipeline_state` rows to keep per pipeline (dlt keeps all; its users' tables grew to GBs). */
const KEEP_STATE_ROWS = 10;

export class LoadError extends PipelineError {}

type JobsByTable = Map<string, LoadJob[]>;

/**
 * The load path every SQL destination shares: one transaction that migrates the schema,
 * stages the package's files, applies the write dispositions and records the load and the
 * pipeline state. A destination supplies a dialect (types, quoting, staging) and a connection.
 */
export class SqlJobClient<C extends SqlConnection = SqlConnection> implements DestinationClient {
  constructor(
    readonly datasetName: string,
    protected readonly conn: C,
    protected readonly dialect: SqlDialect<C>,
  ) {}

  qualified(table: string): string {
    return `${this.dialect.quote(this.datasetName)}.${this.dialect.quote(table)}`;
  }

  protected async existingColumns(): Promise<Map<string, Set<string>>> {
    const rows = await this.conn.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1", [
      this.datasetName,
    ]);
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

  private async hasTable(name: string): Promise<boolean> {
    const rows = await this.conn.query(
      "SELECT 1 AS x FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2",
      [this.datasetName, name],
    );
    return rows.length > 0;
  }

  async isLoaded(loadId: string, packageId?: string): Promise<boolean> {
    if (!(await this.hasTable(LOADS_TABLE))) return false;
    // SELECT *: datasets written by older engines have no package_id column.
    const rows = await this.conn.query(`SELECT * FROM ${this.qualified(LOADS_TABLE)} WHERE load_id = $1 AND status = 0`, [
      loadId,
    ]);
    return loadVerdict(loadId, packageId, rows.map(recordedPackageId));
  }

  /** The bookkeeping reads (stored-rows.ts) on this client's session and names. */
  private get storedRows(): StoredRowsSource {
    return {
      conn: this.conn,
      qualified: (t) => this.qualified(t),
      quote: (n) => this.dialect.quote(n),
      hasTable: (n) => this.hasTable(n),
    };
  }

  storedSchema(schemaName: string): Promise<StoredSchema | undefined> {
    return readStoredSchema(this.storedRows, schemaName);
  }

  storedState(pipelineName: string): Promise<StateRow | undefined> {
    return readStoredState(this.storedRows, pipelineName);
  }

  async query(sql: string): Promise<ResultRow[]> {
    return this.conn.query(sql);
  }

  /**
   * Run `fn` in one transaction on the dataset, holding the same dataset lock as a load, so
   * that SQL built on the loaded tables (the accounting models) commits all or nothing and never
   * interleaves with a load. Rolls back when `fn` throws.
   */
  async transaction<T>(fn: (conn: SqlConnection, dialect: SqlDialect) => Promise<T>): Promise<T> {
    await this.conn.execute("BEGIN");
    try {
      if (this.dialect.lockDatasetSql) await this.conn.execute(this.dialect.lockDatasetSql(this.datasetName));
      const out = await fn(this.conn, this.dialect);
      await this.conn.execute("COMMIT");
      return out;
    } catch (err) {
      await this.conn.execute("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }

  /** CREATE the tables the dataset lacks and ADD the columns its tables lack. */
  protected async migrate(schema: Schema): Promise<void> {
    await this.conn.execute(`CREATE SCHEMA IF NOT EXISTS ${this.dialect.quote(this.datasetName)}`);
    const existing = await this.existingColumns();
    for (const t of schema.tables.values()) {
      if (Object.keys(t.columns).length === 0) continue;
      const have = existing.get(t.name);
      if (!have) {
        await this.conn.execute(createTableSql(this.dialect, this.qualified(t.name), t));
        continue;
      }
      for (const c of Object.values(t.columns)) {
        if (!have.has(c.name)) await this.conn.execute(this.dialect.addColumn(this.qualified(t.name), c));
      }
    }
  }

  /** The whole package in one transaction: migrate, one table chain per root table, the load row. */
  async load(req: LoadRequest): Promise<void> {
    await this.conn.execute("BEGIN");
    try {
      if (this.dialect.lockDatasetSql) await this.conn.execute(this.dialect.lockDatasetSql(this.datasetName));
      // Checked inside the transaction too: two processes must not both load one package.
      if (await this.isLoaded(req.loadId, req.packageId)) {
        await this.conn.execute("ROLLBACK");
        return;
      }
      // Transactional DDL: the tables go with this commit or not at all (never before the state says so).
      for (const t of req.dropTables ?? []) await this.conn.execute(`DROP TABLE IF EXISTS ${this.qualified(t)}`);
      await this.migrate(req.schema);
      const files = jobsByTable(req.jobs);
      for (const [n, entry] of req.rootTables.entries()) {
        const root = req.schema.get(entry.table);
        if (!root) continue; // a resource that yielded nothing and never had a table
        await this.loadChain(req, entry, root, files, `_dlt_tmp_${n}_${randomBytes(3).toString("hex")}`);
      }
      const reconciled: ReconcileResult[] = [];
      for (const [n, job] of (req.reconcile ?? []).entries()) {
        const temp = `_dlt_tmp_r${n}_${randomBytes(3).toString("hex")}`;
        reconciled.push(
          await reconcileTable(
            {
              conn: this.conn,
              dialect: this.dialect,
              schema: req.schema,
              qualified: (t) => this.qualified(t),
              idTable: (name, ids) => this.tempIdTable(name, ids),
              temp,
            },
            job,
          ),
        );
      }
      await this.recordLoad(req);
      await this.conn.execute("COMMIT");
      if (reconciled.length > 0) req.onReconciled?.(reconciled);
    } catch (err) {
      await this.conn.execute("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }

  /** One root table and its child tables: the package's rows in, by the root's write disposition. */
  private async loadChain(req: LoadRequest, entry: RootTableEntry, root: Table, files: JobsByTable, temp: string): Promise<void> {
    const children = req.schema.descendants(root.name);
    const ingest = this.dialect.ingest;
    if (ingest.kind === "copy" && (entry.writeDisposition !== "merge" || !hasMergeKeys(root))) {
      await this.copyChain(req, ingest, entry.writeDisposition === "replace", root, children, files);
      return;
    }
    const { sources, staged } = await this.chainSources(req, root, children, files, temp);
    const superseded = req.superseded?.[root.name] ?? [];
    const chain: ChainSql = {
      dialect: this.dialect,
      schema: req.schema,
      root,
      children,
      qualified: (t) => this.qualified(t),
      sources,
      temp,
      ...(superseded.length > 0 ? { superseded: await this.tempIdTable(`${temp}_sup`, superseded) } : {}),
      ...(entry.writeDisposition === "merge" && (await this.isEmpty(root.name)) ? { targetEmpty: true } : {}),
    };
    const statements =
      entry.writeDisposition === "replace"
        ? replaceSql(chain)
        : entry.writeDisposition === "merge"
          ? mergeSql(chain)
          : appendSql(chain);
    for (const sql of statements) await this.conn.execute(sql);
    for (const s of staged) await this.conn.execute(`DROP TABLE ${s}`);
    if (chain.superseded) await this.conn.execute(`DROP TABLE ${chain.superseded}`);
  }

  /** Append and replace need no dedup: the files are copied straight into the dataset tables. */
  private async copyChain(
    req: LoadRequest,
    ingest: Extract<Ingest<C>, { kind: "copy" }>,
    clear: boolean,
    root: Table,
    children: Table[],
    files: JobsByTable,
  ): Promise<void> {
    if (clear)
      for (const sql of clearChainSql({ root, children, qualified: (t) => this.qualified(t) })) await this.conn.execute(sql);
    for (const t of [root, ...children]) {
      const jobs = files.get(t.name);
      if (!jobs || jobs.length === 0) continue;
      await ingest.copy(this.conn, this.qualified(t.name), t, jobs, req.loadId);
      for (const j of jobs) req.onJobStaged?.(j);
    }
  }

  /**
   * A relation per table of the chain that the package has rows for: the files read in place, or
   * a temporary staging table they were copied into (listed in `staged`, dropped after use).
   */
  private async chainSources(
    req: LoadRequest,
    root: Table,
    children: Table[],
    files: JobsByTable,
    temp: string,
  ): Promise<{ sources: Map<string, string>; staged: string[] }> {
    const ingest = this.dialect.ingest;
    const sources = new Map<string, string>();
    const staged: string[] = [];
    for (const [i, t] of [root, ...children].entries()) {
      const jobs = files.get(t.name);
      if (!jobs || jobs.length === 0) continue;
      if (ingest.kind === "read-in-place") {
        sources.set(t.name, `(${ingest.select(t, jobs)})`);
      } else {
        const name = `${temp}_stg${i}`;
        const defs = Object.values(t.columns).map((c) => `${this.dialect.quote(c.name)} ${this.dialect.columnType(c)}`);
        await this.conn.execute(`CREATE TEMP TABLE ${name} (${defs.join(", ")})`);
        await ingest.copy(this.conn, name, t, jobs, req.loadId);
        sources.set(t.name, name);
        staged.push(name);
      }
      for (const j of jobs) req.onJobStaged?.(j);
    }
    return { sources, staged };
  }

  /** The schema version (when new), the pipeline state (when the package has one) and the `_dlt_loads` row. */
  private async recordLoad(req: LoadRequest): Promise<void> {
    await this.recordVersion(req.schema);
    if (req.stateRow) await this.recordState(req);
    const at = new Date().toISOString();
    for (const item of req.rejected ?? []) {
      const row = rejectedRow(item, at);
      const cols = Object.keys(row);
      await this.conn.execute(
        `INSERT INTO ${this.qualified(REJECTED_TABLE)} (${cols.map((c) => this.dialect.quote(c)).join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})`,
        Object.values(row),
      );
    }
    await this.conn.execute(
      `INSERT INTO ${this.qualified(LOADS_TABLE)} (load_id, schema_name, status, inserted_at, schema_version_hash, package_id) VALUES ($1, $2, 0, $3, $4, $5)`,
      [req.loadId, req.schema.name, new Date().toISOString(), req.schema.versionHash, req.packageId ?? null],
    );
  }

  private async isEmpty(table: string): Promise<boolean> {
    return (await this.conn.query(`SELECT 1 AS x FROM ${this.qualified(table)} LIMIT 1`)).length === 0;
  }

  /** A temporary one-column table of ids, filled in batches (usually tiny: duplicates are rare). */
  private async tempIdTable(name: string, ids: string[]): Promise<string> {
    await this.conn.execute(`CREATE TEMP TABLE ${name} (id VARCHAR)`);
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      await this.conn.execute(`INSERT INTO ${name} (id) VALUES ${batch.map((_, k) => `($${k + 1})`).join(", ")}`, batch);
    }
    return name;
  }

  private async recordVersion(schema: Schema): Promise<void> {
    const rows = await this.conn.query(
      `SELECT version_hash FROM ${this.qualified(VERSION_TABLE)} WHERE schema_name = $1 ORDER BY version DESC, inserted_at DESC LIMIT 1`,
      [schema.name],
    );
    if (rows[0]?.version_hash === schema.versionHash) return;
    let text = JSON.stringify(schema.toJSON());
    const max = this.dialect.maxTextBytes;
    if (max !== undefined && Buffer.byteLength(text) > max) text = deflateSync(text, { level: 9 }).toString("base64");
    await this.conn.execute(
      `INSERT INTO ${this.qualified(VERSION_TABLE)} (version, engine_version, inserted_at, schema_name, version_hash, ${this.dialect.quote("schema")}) VALUES ($1, $2, $3, $4, $5, $6)`,
      [schema.version, 1, new Date().toISOString(), schema.name, schema.versionHash, text],
    );
  }

  private async recordState(req: LoadRequest): Promise<void> {
    const s = req.stateRow!;
    const t = this.qualified(STATE_TABLE);
    await this.conn.execute(
      `INSERT INTO ${t} (version, engine_version, pipeline_name, state, created_at, version_hash, _dlt_load_id, _dlt_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [s.version, s.engineVersion, s.pipelineName, s.state, s.createdAt, s.versionHash, req.loadId, s.dltId],
    );
    await this.conn.execute(
      `DELETE FROM ${t} WHERE pipeline_name = $1 AND version < (SELECT MIN(version) FROM (SELECT version FROM ${t} WHERE pipeline_name = $1 ORDER BY version DESC LIMIT ${KEEP_STATE_ROWS}) AS kept)`,
      [s.pipelineName],
    );
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}
