import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import type { RootTableEntry } from "../../package/format.js";
import type { Schema, StoredSchema } from "../../schema/schema.js";
import { LOADS_TABLE, REJECTED_TABLE, STATE_TABLE, VERSION_TABLE, rejectedRow } from "../../schema/system-tables.js";
import type { Table } from "../../schema/types.js";
import {
  jobsByTable,
  type DestinationClient,
  type LoadRequest,
  type ReconcileResult,
  type ResultRow,
  type StateRow,
} from "../destination.js";
import { createTableSql } from "../sql/ddl.js";
import type { SqlDialect } from "../sql/dialect.js";
import { type ChainSql, appendSql, mergeSql, replaceSql } from "../sql/dispositions.js";
import { reconcileTable } from "../sql/reconcile.js";
import { readStoredSchema, readStoredState, type StoredRowsSource } from "../sql/stored-rows.js";
import { LoadError } from "../sql/job-client.js";
import type { SqlConnection } from "../sql/sql-connection.js";
import type { SnowflakeConnection } from "./connection.js";
import { selectFromRawSql, stageRawTable } from "./stage.js";
import type { StageFiles } from "./stage-files.js";
import { TransactionGuard } from "./transaction-guard.js";
import { loadVerdict, recordedPackageId } from "../load-identity.js";

/** How many `_dlt_pipeline_state` rows to keep per pipeline (as on the other SQL destinations). */
const KEEP_STATE_ROWS = 10;

/**
 * The dataset lock: a one-row table whose row the load transaction UPDATEs first. Snowflake has no
 * advisory lock, but an UPDATE holds the table's lock to the commit, so a second load of the
 * dataset waits there (as Postgres's pg_advisory_xact_lock makes it wait) and then sees the
 * first one's `_dlt_loads` row. A `_dlt_` table: the dataset API's row counts leave it out.
 */
export const LOAD_LOCK_TABLE = "_dlt_load_lock";

/** Where this client's loads put their files (stage-files.ts), and what becomes of them. */
export interface SnowflakeFiles {
  /** One load's files: the internal stage, or the staging bucket of `staging = "filesystem"`. */
  open(conn: SnowflakeConnection, loadId: string): Promise<StageFiles>;
  /** Keep the uploaded files after the commit (fakesnow has no REMOVE; dlt's keep_staged_files). */
  keep?: boolean | undefined;
  /** Release what `open` holds across loads (the staging bucket's client). */
  close(): Promise<void>;
}

/**
 * A package commits on Snowflake in two phases, because any DDL statement (and PUT) commits an
 * open transaction there:
 * 1. Before BEGIN, each idempotent on a rerun: the dataset's schema, tables and added columns
 *    (CREATE ... IF NOT EXISTS, ADD COLUMN IF NOT EXISTS), the lock table (LOAD_LOCK_TABLE), the
 *    load files put where COPY reads them (PUT to a fresh path on the stage, or uploaded to the
 *    staging bucket under keys of the package and file, replaced whole on a rerun), `COPY INTO`
 *    one temporary VARIANT table per table, and the temporary id tables of superseded rows and
 *    key sets. Nothing a reader sees changes: new tables are empty, new columns NULL.
 * 2. One transaction of DML only (TransactionGuard refuses anything else): the dataset lock's
 *    UPDATE, the "already loaded?" check, the write dispositions reading the temporary tables, reconciliation, `_dlt_rejected`,
 *    `_dlt_version`, `_dlt_pipeline_state` and the `_dlt_loads` row; COMMIT.
 * A crash in phase 1 leaves at most empty tables, columns and staged files; a crash in phase 2
 * rolls back. The temporary tables die with the session; the staged files are removed after the
 * commit (unless kept).
 */
export class SnowflakeClient implements DestinationClient {
  private inDataset = false;

  constructor(
    readonly datasetName: string,
    private readonly conn: SnowflakeConnection,
    private readonly dialect: SqlDialect<SnowflakeConnection>,
    private readonly files: SnowflakeFiles,
  ) {}

  qualified(table: string): string {
    return `${this.dialect.quote(this.datasetName)}.${this.dialect.quote(table)}`;
  }

  private get schemaName(): string {
    return this.datasetName.toUpperCase();
  }

  /** The dataset's tables and their columns, by the pipeline's (lower-case) names. */
  private async existingColumns(): Promise<Map<string, Set<string>>> {
    const rows = await this.conn.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1", [
      this.schemaName,
    ]);
    const out = new Map<string, Set<string>>();
    for (const r of rows) {
      const t = String(r.table_name).toLowerCase();
      let s = out.get(t);
      if (!s) out.set(t, (s = new Set()));
      s.add(String(r.column_name).toLowerCase());
    }
    return out;
  }

  async tableNames(): Promise<string[]> {
    return [...(await this.existingColumns()).keys()].sort();
  }

  private async hasTable(name: string, conn: SqlConnection = this.conn): Promise<boolean> {
    const rows = await conn.query("SELECT 1 AS x FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2", [
      this.schemaName,
      name.toUpperCase(),
    ]);
    return rows.length > 0;
  }

  private async isLoadedOn(conn: SqlConnection, loadId: string, packageId: string | undefined): Promise<boolean> {
    if (!(await this.hasTable(LOADS_TABLE, conn))) return false;
    // SELECT *: datasets written by older engines have no package_id column.
    const rows = await conn.query(`SELECT * FROM ${this.qualified(LOADS_TABLE)} WHERE load_id = $1 AND status = 0`, [loadId]);
    return loadVerdict(loadId, packageId, rows.map(recordedPackageId));
  }

  isLoaded(loadId: string, packageId?: string): Promise<boolean> {
    return this.isLoadedOn(this.conn, loadId, packageId);
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

  /** Unqualified names in SQL on the dataset resolve to its schema, once it exists. */
  private async useDataset(): Promise<void> {
    if (this.inDataset) return;
    if (
      !(await this.conn.query("SELECT 1 AS x FROM information_schema.schemata WHERE schema_name = $1", [this.schemaName])).length
    )
      return;
    await this.conn.execute(`USE SCHEMA ${this.dialect.quote(this.datasetName)}`);
    this.inDataset = true;
  }

  async query(sql: string): Promise<ResultRow[]> {
    await this.useDataset();
    return this.conn.query(sql);
  }

  /** Phase 1: CREATE the tables the dataset lacks and ADD the columns its tables lack (each DDL its own commit). */
  private async migrate(schema: Schema): Promise<void> {
    await this.conn.execute(`CREATE SCHEMA IF NOT EXISTS ${this.dialect.quote(this.datasetName)}`);
    await this.useDataset();
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
    // The lock's table and its one row, idempotent (two first loads racing may add two rows: the
    // UPDATE takes the table's lock whatever the count).
    const lock = this.qualified(LOAD_LOCK_TABLE);
    if (!existing.has(LOAD_LOCK_TABLE)) {
      await this.conn.execute(`CREATE TABLE IF NOT EXISTS ${lock} ("LOAD_ID" VARCHAR, "LOCKED_AT" TIMESTAMP_TZ)`);
    }
    await this.conn.execute(`INSERT INTO ${lock} ("LOAD_ID") SELECT NULL WHERE NOT EXISTS (SELECT 1 FROM ${lock})`);
  }

  /** A temporary one-column table of ids, made before BEGIN. */
  private async idTable(ids: string[], temporary: Set<string>): Promise<string> {
    const name = `"_DLT_IDS_${randomBytes(6).toString("hex").toUpperCase()}"`;
    await this.conn.execute(`CREATE TEMPORARY TABLE ${name} (id VARCHAR)`);
    temporary.add(name);
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      await this.conn.execute(`INSERT INTO ${name} (id) VALUES ${batch.map((_, k) => `($${k + 1})`).join(", ")}`, batch);
    }
    return name;
  }

  async load(req: LoadRequest): Promise<void> {
    if (await this.isLoaded(req.loadId, req.packageId)) return;
    // DDL commits on Snowflake, so a drop package's DROPs run in phase 1 like the other DDL:
    // idempotent, and such a package has no rows, so nothing before `_dlt_loads` brings a table back.
    for (const t of req.dropTables ?? []) await this.conn.execute(`DROP TABLE IF EXISTS ${this.qualified(t)}`);
    await this.migrate(req.schema);
    const stage = await this.files.open(this.conn, req.loadId);
    const scratch = mkdtempSync(join(tmpdir(), "snowflake-stage-"));
    const temporary = new Set<string>();
    let committed = false;
    try {
      // Phase 1: every file on the stage and in a temporary table; the ids in theirs.
      const files = jobsByTable(req.jobs);
      const chains: {
        entry: RootTableEntry;
        root: Table;
        children: Table[];
        sources: Map<string, string>;
        superseded?: string;
      }[] = [];
      for (const entry of req.rootTables) {
        const root = req.schema.get(entry.table);
        if (!root) continue; // a resource that yielded nothing and never had a table
        const children = req.schema.descendants(root.name);
        const sources = new Map<string, string>();
        for (const t of [root, ...children]) {
          const jobs = files.get(t.name);
          if (!jobs || jobs.length === 0) continue;
          const raw = await stageRawTable(this.conn, stage, scratch, t, jobs);
          temporary.add(raw);
          sources.set(t.name, `(${selectFromRawSql(t, raw)})`);
          for (const j of jobs) req.onJobStaged?.(j);
        }
        const sup = req.superseded?.[root.name] ?? [];
        chains.push({
          entry,
          root,
          children,
          sources,
          ...(sup.length > 0 ? { superseded: await this.idTable(sup, temporary) } : {}),
        });
      }
      const keySets = new Map<number, string>();
      for (const [n, job] of (req.reconcile ?? []).entries()) keySets.set(n, await this.idTable(job.keys, temporary));

      // Phase 2: DML only, in one transaction.
      const tx = new TransactionGuard(this.conn, temporary);
      await this.conn.execute("BEGIN");
      try {
        // First: the dataset lock (a concurrent load of this dataset waits here to our commit), then
        // "already loaded?" again, now that no other load can commit this package under us.
        await this.takeLock(tx, req.loadId);
        if (await this.isLoadedOn(tx, req.loadId, req.packageId)) {
          await this.conn.execute("ROLLBACK");
          return;
        }
        for (const [n, c] of chains.entries()) {
          const chain: ChainSql = {
            dialect: this.dialect,
            schema: req.schema,
            root: c.root,
            children: c.children,
            qualified: (t) => this.qualified(t),
            sources: c.sources,
            temp: `_dlt_tmp_${n}`,
            ...(c.superseded ? { superseded: c.superseded } : {}),
            ...(c.entry.writeDisposition === "merge" && (await this.isEmpty(tx, c.root.name)) ? { targetEmpty: true } : {}),
          };
          const statements =
            c.entry.writeDisposition === "replace"
              ? replaceSql(chain)
              : c.entry.writeDisposition === "merge"
                ? mergeSql(chain)
                : appendSql(chain);
          for (const sql of statements) await tx.execute(sql);
        }
        const reconciled: ReconcileResult[] = [];
        for (const [n, job] of (req.reconcile ?? []).entries()) {
          const keys = keySets.get(n)!;
          reconciled.push(
            await reconcileTable(
              {
                conn: tx,
                dialect: this.dialect,
                schema: req.schema,
                qualified: (t) => this.qualified(t),
                idTable: () => Promise.resolve(keys),
                temp: `_dlt_tmp_r${n}`,
              },
              job,
            ),
          );
        }
        await this.recordLoad(tx, req);
        await this.conn.execute("COMMIT");
        committed = true;
        if (reconciled.length > 0) req.onReconciled?.(reconciled);
      } catch (err) {
        await this.conn.execute("ROLLBACK").catch(() => undefined);
        throw err;
      }
    } finally {
      await this.cleanUp(stage, scratch, temporary, committed);
    }
  }

  /** After the load: the temporary tables dropped, the staged files removed (after a commit, unless kept). */
  private async cleanUp(stage: StageFiles, scratch: string, temporary: Set<string>, committed: boolean): Promise<void> {
    for (const t of temporary) await this.conn.execute(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
    if (this.files.keep || !committed) return;
    await stage.cleanup();
  }

  /**
   * The lock's UPDATE. On Snowflake it waits for a concurrent load's commit (up to the session's
   * LOCK_TIMEOUT); an engine with optimistic concurrency (fakesnow's DuckDB) refuses it at once
   * with a write conflict instead: either way, not both loads commit.
   */
  private async takeLock(tx: SqlConnection, loadId: string): Promise<void> {
    try {
      await tx.execute(`UPDATE ${this.qualified(LOAD_LOCK_TABLE)} SET "LOAD_ID" = $1, "LOCKED_AT" = $2`, [
        loadId,
        new Date().toISOString(),
      ]);
    } catch (err) {
      throw new LoadError(
        `Snowflake dataset ${this.datasetName}: could not take the dataset lock (${LOAD_LOCK_TABLE}) for load ${loadId}: ${(err as Error).message}`,
        {
          cause: err,
          hint: "another load of this dataset was committing at the same moment; nothing of this package was committed: run again (it skips the package if the other load committed it)",
        },
      );
    }
  }

  private async isEmpty(conn: SqlConnection, table: string): Promise<boolean> {
    return (await conn.query(`SELECT 1 AS x FROM ${this.qualified(table)} LIMIT 1`)).length === 0;
  }

  /** `_dlt_rejected`, the schema version (when new), the pipeline state (when the package has one) and the `_dlt_loads` row. */
  private async recordLoad(tx: SqlConnection, req: LoadRequest): Promise<void> {
    await this.recordVersion(tx, req.schema);
    if (req.stateRow) await this.recordState(tx, req);
    const at = new Date().toISOString();
    for (const item of req.rejected ?? []) {
      const row = rejectedRow(item, at);
      const cols = Object.keys(row);
      await tx.execute(
        `INSERT INTO ${this.qualified(REJECTED_TABLE)} (${cols.map((c) => this.dialect.quote(c)).join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})`,
        Object.values(row),
      );
    }
    await tx.execute(
      `INSERT INTO ${this.qualified(LOADS_TABLE)} (load_id, schema_name, status, inserted_at, schema_version_hash, package_id) VALUES ($1, $2, 0, $3, $4, $5)`,
      [req.loadId, req.schema.name, new Date().toISOString(), req.schema.versionHash, req.packageId ?? null],
    );
  }

  private async recordVersion(tx: SqlConnection, schema: Schema): Promise<void> {
    const rows = await tx.query(
      `SELECT version_hash FROM ${this.qualified(VERSION_TABLE)} WHERE schema_name = $1 ORDER BY version DESC, inserted_at DESC LIMIT 1`,
      [schema.name],
    );
    if (rows[0]?.version_hash === schema.versionHash) return;
    let text = JSON.stringify(schema.toJSON());
    // VARCHAR holds 16 MB; a bigger schema is stored as base64(zlib(json)), dlt's rule.
    if (Buffer.byteLength(text) > 16 << 20) text = deflateSync(text, { level: 9 }).toString("base64");
    await tx.execute(
      `INSERT INTO ${this.qualified(VERSION_TABLE)} (version, engine_version, inserted_at, schema_name, version_hash, ${this.dialect.quote("schema")}) VALUES ($1, $2, $3, $4, $5, $6)`,
      [schema.version, 1, new Date().toISOString(), schema.name, schema.versionHash, text],
    );
  }

  private async recordState(tx: SqlConnection, req: LoadRequest): Promise<void> {
    const s = req.stateRow!;
    const t = this.qualified(STATE_TABLE);
    await tx.execute(
      `INSERT INTO ${t} (version, engine_version, pipeline_name, state, created_at, version_hash, _dlt_load_id, _dlt_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [s.version, s.engineVersion, s.pipelineName, s.state, s.createdAt, s.versionHash, req.loadId, s.dltId],
    );
    await tx.execute(
      `DELETE FROM ${t} WHERE pipeline_name = $1 AND version < (SELECT MIN(version) FROM (SELECT version FROM ${t} WHERE pipeline_name = $1 ORDER BY version DESC LIMIT ${KEEP_STATE_ROWS}) AS kept)`,
      [s.pipelineName],
    );
  }

  async close(): Promise<void> {
    try {
      await this.conn.close();
    } finally {
      await this.files.close();
    }
  }
}
