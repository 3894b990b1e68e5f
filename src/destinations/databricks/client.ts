import type { RootTableEntry } from "../../package/format.js";
import type { Schema, StoredSchema } from "../../schema/schema.js";
import { C_ID, C_ROOT_ID, LOADS_TABLE, STATE_TABLE, VERSION_TABLE } from "../../schema/system-tables.js";
import type { Table } from "../../schema/types.js";
import { logger } from "../../util/logger.js";
import type { DestinationClient, LoadJob, LoadRequest, ResultRow, StateRow } from "../destination.js";
import { ansiIdentifiersTo, orderedColumns } from "../sql/index.js";
import { stateRowFrom } from "../state-row.js";
import { chainStatements } from "./commit-sql.js";
import type { DatabricksConnection } from "./connection.js";
import { dbxColumnType, dbxLiteral, dbxQuote } from "./dialect.js";
import type { FileSource } from "./file-sources.js";

const KEEP_STATE_ROWS = 10;
/** Superseded ids per DELETE statement: the list is spelled out in the statement. */
const IDS_PER_DELETE = 1000;

function isMissingSchema(err: unknown): boolean {
  return /SCHEMA_NOT_FOUND|NO_SUCH_NAMESPACE|Database .* not found|not found/i.test((err as Error).message);
}

/** How the client gets a package's files to the engine: one `FileSource` per load (file-sources.ts). */
export type FileSourceFactory = (client: DatabricksClient, req: LoadRequest) => Promise<FileSource>;

/**
 * A Databricks schema (the dataset) of Delta tables. A Delta table commits each statement on its
 * own and nothing spans tables, so a package commits by idempotent steps with `_dlt_loads` last:
 *
 * 1. the package's load id in `_dlt_loads` means it committed: nothing to do;
 * 2. migrate: `CREATE SCHEMA/TABLE IF NOT EXISTS`, `ALTER TABLE ADD COLUMNS` for missing columns;
 * 3. per table with rows, a staging table `<dataset>_staging.<table>__<load_id>` is dropped and
 *    created anew and filled from the package's files (`COPY INTO` from a volume or bucket, see
 *    file-sources.ts); a merge root's superseded rows (a later row in the package has the same
 *    key) and their children are deleted from it;
 * 4. per table chain, the write disposition's statements (commit-sql.ts), each idempotent;
 * 5. the schema version (skipped when its hash is stored), the state row and then the `_dlt_loads`
 *    row, each inserted only when absent;
 * 6. the staging tables are dropped and the staged files removed.
 *
 * A crash anywhere before 5's last insert leaves no load row, and the next run repeats 2–6 with
 * the same result; after it, the next run stops at 1.
 */
export class DatabricksClient implements DestinationClient {
  readonly stagingDataset: string;

  constructor(
    readonly datasetName: string,
    readonly conn: DatabricksConnection,
    private readonly files: FileSourceFactory,
  ) {
    this.stagingDataset = `${datasetName}_staging`;
  }

  /** `catalog`.`schema`.`table` (the catalog when one is configured, else the session's). */
  qualified(table: string, schema = this.datasetName): string {
    return `${this.schemaName(schema)}.${dbxQuote(table)}`;
  }

  schemaName(schema = this.datasetName): string {
    return this.conn.catalog ? `${dbxQuote(this.conn.catalog)}.${dbxQuote(schema)}` : dbxQuote(schema);
  }

  private async existingColumns(): Promise<Map<string, Set<string>>> {
    let tables: ResultRow[];
    try {
      tables = await this.conn.raw(`SHOW TABLES IN ${this.schemaName()}`);
    } catch (err) {
      if (isMissingSchema(err)) return new Map();
      throw err;
    }
    const out = new Map<string, Set<string>>();
    for (const t of tables) {
      if (t.isTemporary === true) continue;
      const name = String(t.tableName);
      const cols = await this.conn.raw(`SHOW COLUMNS IN ${this.qualified(name)}`);
      out.set(name, new Set(cols.map((c) => String(c.col_name))));
    }
    return out;
  }

  private async tableList(): Promise<Set<string>> {
    try {
      const rows = await this.conn.raw(`SHOW TABLES IN ${this.schemaName()}`);
      return new Set(rows.filter((r) => r.isTemporary !== true).map((r) => String(r.tableName)));
    } catch (err) {
      if (isMissingSchema(err)) return new Set();
      throw err;
    }
  }

  async tableNames(): Promise<string[]> {
    return [...(await this.tableList())].sort();
  }

  private async hasTables(...names: string[]): Promise<boolean> {
    const have = await this.tableList();
    return names.every((n) => have.has(n));
  }

  private async select(sql: string): Promise<ResultRow[]> {
    return (await this.conn.query(sql)).rows;
  }

  async isLoaded(loadId: string): Promise<boolean> {
    if (!(await this.hasTables(LOADS_TABLE))) return false;
    const rows = await this.select(
      `SELECT 1 AS x FROM ${this.qualified(LOADS_TABLE)} WHERE load_id = ${dbxLiteral(loadId)} AND status = 0 LIMIT 1`,
    );
    return rows.length > 0;
  }

  async storedSchema(schemaName: string): Promise<StoredSchema | undefined> {
    if (!(await this.hasTables(VERSION_TABLE))) return undefined;
    const rows = await this.select(
      `SELECT ${dbxQuote("schema")} AS s FROM ${this.qualified(VERSION_TABLE)} WHERE schema_name = ${dbxLiteral(schemaName)} ORDER BY version DESC, inserted_at DESC LIMIT 1`,
    );
    const s = rows[0]?.s;
    return typeof s === "string" ? (JSON.parse(s) as StoredSchema) : undefined;
  }

  async storedState(pipelineName: string): Promise<StateRow | undefined> {
    if (!(await this.hasTables(STATE_TABLE, LOADS_TABLE))) return undefined;
    const rows = await this.select(
      `SELECT s.version, s.engine_version, s.pipeline_name, s.state, s.created_at, s.version_hash, s._dlt_load_id, s._dlt_id
       FROM ${this.qualified(STATE_TABLE)} AS s JOIN ${this.qualified(LOADS_TABLE)} AS l ON l.load_id = s._dlt_load_id
       WHERE s.pipeline_name = ${dbxLiteral(pipelineName)} AND l.status = 0 ORDER BY s.version DESC, l.load_id DESC LIMIT 1`,
    );
    return rows[0] ? stateRowFrom(rows[0]) : undefined;
  }

  /** SQL as DuckDB and Postgres take it (`"name"` is a name); unqualified tables are the dataset's. */
  async query(sql: string): Promise<ResultRow[]> {
    await this.conn.execute(`USE ${this.schemaName()}`);
    return this.select(ansiIdentifiersTo(sql, dbxQuote));
  }

  private async migrate(schema: Schema): Promise<void> {
    await this.conn.execute(`CREATE SCHEMA IF NOT EXISTS ${this.schemaName()}`);
    const existing = await this.existingColumns();
    for (const t of schema.tables.values()) {
      if (Object.keys(t.columns).length === 0) continue;
      const have = existing.get(t.name);
      if (!have) {
        const defs = orderedColumns(t).map((c) => `${dbxQuote(c.name)} ${dbxColumnType(c)}${c.nullable ? "" : " NOT NULL"}`);
        // No USING clause: a Databricks table is Delta by default (a managed Unity Catalog table always is).
        await this.conn.execute(`CREATE TABLE IF NOT EXISTS ${this.qualified(t.name)} (${defs.join(", ")})`);
        continue;
      }
      // A column added to a table with rows is nullable (Delta cannot add a NOT NULL column to one).
      const missing = Object.values(t.columns).filter((c) => !have.has(c.name));
      if (missing.length > 0) {
        const defs = missing.map((c) => `${dbxQuote(c.name)} ${dbxColumnType(c)}`);
        await this.conn.execute(`ALTER TABLE ${this.qualified(t.name)} ADD COLUMNS (${defs.join(", ")})`);
      }
    }
  }

  private stagingName(table: string, loadId: string): string {
    return `${table}__${loadId.replace(/[^A-Za-z0-9_]/g, "_")}`;
  }

  /** Step 3 for one table: a new staging table in the dataset's types, filled from the files. */
  private async stage(table: Table, loadId: string, jobs: LoadJob[], files: FileSource): Promise<string> {
    const qualified = this.qualified(this.stagingName(table.name, loadId), this.stagingDataset);
    const defs = Object.values(table.columns).map((c) => `${dbxQuote(c.name)} ${dbxColumnType(c)}`);
    await this.conn.execute(`DROP TABLE IF EXISTS ${qualified}`);
    await this.conn.execute(`CREATE TABLE ${qualified} (${defs.join(", ")})`);
    await files.fill(qualified, table, jobs);
    return qualified;
  }

  async load(req: LoadRequest): Promise<void> {
    if (await this.isLoaded(req.loadId)) return;
    warnNotApplied(req);
    // Idempotent like every step here; a drop package has no rows, so no step between this and
    // `_dlt_loads` can bring a dropped table back.
    for (const t of req.dropTables ?? []) await this.conn.execute(`DROP TABLE IF EXISTS ${this.qualified(t)}`);
    await this.migrate(req.schema);
    await this.conn.execute(`CREATE SCHEMA IF NOT EXISTS ${this.schemaName(this.stagingDataset)}`);
    const files = await this.files(this, req);
    const byTable = new Map<string, LoadJob[]>();
    for (const j of req.jobs) byTable.set(j.table, [...(byTable.get(j.table) ?? []), j]);
    const stagingTables: string[] = [];
    for (const entry of req.rootTables) {
      const root = req.schema.get(entry.table);
      if (!root) continue;
      await this.loadChain(req, entry, root, byTable, files, stagingTables);
    }
    await this.recordLoad(req);
    for (const t of stagingTables) await this.conn.execute(`DROP TABLE IF EXISTS ${t}`);
    await files.cleanup();
  }

  private async loadChain(
    req: LoadRequest,
    entry: RootTableEntry,
    root: Table,
    byTable: Map<string, LoadJob[]>,
    files: FileSource,
    stagingTables: string[],
  ): Promise<void> {
    const children = req.schema.descendants(root.name);
    const staged = new Map<string, string>();
    for (const t of [root, ...children]) {
      const jobs = byTable.get(t.name);
      if (!jobs || jobs.length === 0) continue;
      const s = await this.stage(t, req.loadId, jobs, files);
      staged.set(t.name, s);
      stagingTables.push(s);
      for (const j of jobs) req.onJobStaged?.(j);
    }
    const superseded = req.superseded?.[root.name] ?? [];
    if (superseded.length > 0 && staged.has(root.name)) {
      for (let i = 0; i < superseded.length; i += IDS_PER_DELETE) {
        const ids = superseded
          .slice(i, i + IDS_PER_DELETE)
          .map(dbxLiteral)
          .join(", ");
        for (const child of children) {
          const s = staged.get(child.name);
          if (s) await this.conn.execute(`DELETE FROM ${s} WHERE ${dbxQuote(C_ROOT_ID)} IN (${ids})`);
        }
        await this.conn.execute(`DELETE FROM ${staged.get(root.name)!} WHERE ${dbxQuote(C_ID)} IN (${ids})`);
      }
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
    const name = dbxLiteral(schema.name);
    const latest = await this.select(
      `SELECT version_hash FROM ${this.qualified(VERSION_TABLE)} WHERE schema_name = ${name} ORDER BY version DESC, inserted_at DESC LIMIT 1`,
    );
    if (latest[0]?.version_hash !== schema.versionHash) {
      await this.conn.execute(
        `INSERT INTO ${this.qualified(VERSION_TABLE)} (version, engine_version, inserted_at, schema_name, version_hash, ${dbxQuote("schema")}) VALUES (${schema.version}, 1, CURRENT_TIMESTAMP(), ${name}, ${dbxLiteral(schema.versionHash)}, ${dbxLiteral(JSON.stringify(schema.toJSON()))})`,
      );
    }
    const loadId = dbxLiteral(req.loadId);
    const s = req.stateRow;
    if (s) {
      const t = this.qualified(STATE_TABLE);
      const pipeline = dbxLiteral(s.pipelineName);
      await this.conn.execute(
        `INSERT INTO ${t} (version, engine_version, pipeline_name, state, created_at, version_hash, _dlt_load_id, _dlt_id)
         SELECT ${s.version}, ${s.engineVersion}, ${pipeline}, ${dbxLiteral(s.state)}, CAST(${dbxLiteral(s.createdAt)} AS TIMESTAMP), ${dbxLiteral(s.versionHash)}, ${loadId}, ${dbxLiteral(s.dltId)}
         WHERE NOT EXISTS (SELECT 1 FROM ${t} WHERE _dlt_load_id = ${loadId} AND pipeline_name = ${pipeline})`,
      );
      // Old state rows are trimmed only when there are more than kept: a DELETE is a Delta commit.
      const counted = await this.select(`SELECT COUNT(*) AS n FROM ${t} WHERE pipeline_name = ${pipeline}`);
      if (Number(counted[0]?.n ?? 0) > KEEP_STATE_ROWS) {
        await this.conn.execute(
          `DELETE FROM ${t} WHERE pipeline_name = ${pipeline} AND version < (SELECT MIN(version) FROM (SELECT version FROM ${t} WHERE pipeline_name = ${pipeline} ORDER BY version DESC LIMIT ${KEEP_STATE_ROWS}) AS kept)`,
        );
      }
    }
    const loads = this.qualified(LOADS_TABLE);
    await this.conn.execute(
      `INSERT INTO ${loads} (load_id, schema_name, status, inserted_at, schema_version_hash)
       SELECT ${loadId}, ${name}, 0, CURRENT_TIMESTAMP(), ${dbxLiteral(schema.versionHash)} WHERE NOT EXISTS (SELECT 1 FROM ${loads} WHERE load_id = ${loadId})`,
    );
  }

  async dropDataset(): Promise<void> {
    for (const schema of [this.datasetName, this.stagingDataset]) {
      await this.conn.execute(`DROP SCHEMA IF EXISTS ${this.schemaName(schema)} CASCADE`);
    }
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}

const log = logger("databricks");

/**
 * What this destination does not do yet, said on every load it affects rather than skipped in
 * silence: key-set reconciliation (hard deletes found by listing ids) and the `_dlt_rejected` table.
 */
function warnNotApplied(req: LoadRequest): void {
  const sets = req.reconcile ?? [];
  if (sets.length > 0) {
    const tables = [...new Set(sets.map((s) => s.table))].join(", ");
    log.warn(
      `load ${req.loadId}: reconciliation is not applied on Databricks yet: ${sets.length} key set(s) of ${tables} not compared, so rows the source no longer lists stay live (DuckDB, Postgres, filesystem and Redshift apply them)`,
    );
  }
  const rejected = req.rejected?.length ?? 0;
  if (rejected > 0) {
    log.warn(
      `load ${req.loadId}: ${rejected} quarantined item(s) are not written to _dlt_rejected on Databricks yet; they are in the package's rejected.jsonl and listed by \`sage-pipeline pipeline <name> failed-jobs\``,
    );
  }
}
