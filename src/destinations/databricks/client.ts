import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import { ansiIdentifiersTo, orderedColumns } from "../sql/index.js";
import { stateRowFrom } from "../state-row.js";
import type { FileStager } from "../staging.js";
import { chainStatements } from "./commit-sql.js";
import type { DatabricksConnection } from "./connection.js";
import { dbxColumnType, dbxLiteral, dbxQuote } from "./dialect.js";
import type { FileSource } from "./file-sources.js";
import { COUNTS_COLUMNS, KEYS_TABLE, reconcileKeySet } from "./reconcile-sql.js";
import { recordLoad } from "./record-load.js";
import { type CommitStep, type TableFacts, dmlSql, rebuildSql, runsDml, tableFacts } from "./row-changes.js";
import { loadVerdict, recordedPackageId } from "../load-identity.js";
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
 * 5. the key sets (reconcile-sql.ts: their keys staged like rows, each set's counts stored first,
 *    then applied), then (record-load.ts) the schema version (skipped when its hash is stored),
 *    the state row, the quarantined items into `_dlt_rejected` and last the `_dlt_loads` row, each
 *    only when absent;
 * 6. the staging tables are dropped, the staged files removed, and the key sets' counts handed to
 *    `onReconciled`.
 *
 * A crash anywhere before 5's last insert leaves no load row, and the next run repeats 2–6 with
 * the same result; after it, the next run stops at 1. Every delete and update (3, 4, 5) is a row
 * change (row-changes.ts): DML on a Delta table, a rebuild through a copy in the staging schema
 * on any other (the local Spark engine's Parquet tables), by the provider each table reports.
 */
export class DatabricksClient implements DestinationClient {
  readonly stagingDataset: string;
  /** Per load: what `DESCRIBE TABLE EXTENDED` said of each table a row change touched. */
  private facts = new Map<string, TableFacts>();
  /** Per load: the staging copy each rebuilt table goes through, by its qualified name. */
  private copies = new Map<string, string>();

  constructor(
    readonly datasetName: string,
    readonly conn: DatabricksConnection,
    private readonly files: FileSourceFactory,
    /** With `staging = "filesystem"`: this client's own stager (its bucket connection closes with the client). */
    readonly stager?: FileStager,
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

  async isLoaded(loadId: string, packageId?: string): Promise<boolean> {
    if (!(await this.hasTables(LOADS_TABLE))) return false;
    // SELECT *: datasets written by older engines have no package_id column.
    const rows = await this.select(
      `SELECT * FROM ${this.qualified(LOADS_TABLE)} WHERE load_id = ${dbxLiteral(loadId)} AND status = 0`,
    );
    return loadVerdict(loadId, packageId, rows.map(recordedPackageId));
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
    if (jobs.length > 0) await files.fill(qualified, table, jobs);
    return qualified;
  }

  async load(req: LoadRequest): Promise<void> {
    if (await this.isLoaded(req.loadId, req.packageId)) return;
    // Idempotent like every step here; a drop package has no rows, so no step between this and
    // `_dlt_loads` can bring a dropped table back.
    for (const t of req.dropTables ?? []) await this.conn.execute(`DROP TABLE IF EXISTS ${this.qualified(t)}`);
    await this.migrate(req.schema);
    await this.conn.execute(`CREATE SCHEMA IF NOT EXISTS ${this.schemaName(this.stagingDataset)}`);
    this.facts = new Map();
    this.copies = new Map();
    const files = await this.files(this, req);
    const rowFiles: { dir?: string } = {};
    try {
      const byTable = jobsByTable(req.jobs);
      const stagingTables: string[] = [];
      for (const entry of req.rootTables) {
        const root = req.schema.get(entry.table);
        if (!root) continue;
        await this.loadChain(req, entry, root, byTable, files, stagingTables);
      }
      const stageRows = async (table: Table, rows: Array<Record<string, unknown>>): Promise<string> => {
        rowFiles.dir ??= await mkdtemp(join(tmpdir(), "dbx-rows-"));
        const s = await this.stageRows(table, rows, req.loadId, files, rowFiles.dir);
        stagingTables.push(s);
        return s;
      };
      const reconciled = await this.reconcile(req, stageRows, stagingTables);
      await recordLoad(
        {
          qualified: (t) => this.qualified(t),
          select: (sql) => this.select(sql),
          execute: (sql) => this.conn.execute(sql),
          apply: (step) => this.apply(step, req.loadId),
          stageRows,
        },
        req,
      );
      for (const t of [...stagingTables, ...this.copies.values()]) await this.conn.execute(`DROP TABLE IF EXISTS ${t}`);
      await files.cleanup();
      if (reconciled.length > 0) req.onReconciled?.(reconciled);
    } finally {
      if (rowFiles.dir) await rm(rowFiles.dir, { recursive: true, force: true });
    }
  }

  /**
   * Rows the client makes (key sets, quarantined items) into a new staging table, the way the
   * package's rows get there: written as a load file and filled by the load's FileSource (PUT and
   * COPY INTO on Databricks), so they never travel inside statement text.
   */
  private async stageRows(
    table: Table,
    rows: Array<Record<string, unknown>>,
    loadId: string,
    files: FileSource,
    dir: string,
  ): Promise<string> {
    // Not `_dlt_keys.jsonl`: Spark and COPY INTO skip files whose names start with `_` or `.`.
    const file = `rows.${table.name.replace(/^[_.]+/, "")}.jsonl`;
    const path = join(dir, file);
    const text = rows.map((r) => `${JSON.stringify(r)}\n`).join("");
    await writeFile(path, text);
    const job: LoadJob = { table: table.name, file, path, format: "jsonl", rows: rows.length, bytes: Buffer.byteLength(text) };
    return this.stage(table, loadId, rows.length > 0 ? [job] : [], files);
  }

  /**
   * Step 5a: every key set after every chain's rows are in, their keys in one staging table (made
   * anew on a rerun); the counts table is kept across reruns, since it holds what each set found
   * before it changed anything (reconcile-sql.ts).
   */
  private async reconcile(
    req: LoadRequest,
    stageRows: (table: Table, rows: Array<Record<string, unknown>>) => Promise<string>,
    stagingTables: string[],
  ): Promise<ReconcileResult[]> {
    const sets = req.reconcile ?? [];
    if (sets.length === 0) return [];
    const keys = await stageRows(
      KEYS_TABLE,
      sets.flatMap((s, n) => s.keys.map((id) => ({ key_set: n, id }))),
    );
    const counts = this.qualified(this.stagingName("_dlt_reconciled", req.loadId), this.stagingDataset);
    await this.conn.execute(`CREATE TABLE IF NOT EXISTS ${counts} (${COUNTS_COLUMNS})`);
    stagingTables.push(counts);
    const results: ReconcileResult[] = [];
    for (const [n, job] of sets.entries()) {
      results.push(
        await reconcileKeySet(
          {
            schema: req.schema,
            qualified: (t) => this.qualified(t),
            tables: { keys, counts },
            select: (sql) => this.select(sql),
            execute: (sql) => this.conn.execute(sql),
            apply: (step) => this.apply(step, req.loadId),
          },
          job,
          n,
        ),
      );
    }
    return results;
  }

  /**
   * One commit step. A row change asks the table's provider once per load: a Delta table takes
   * the DML; any other is rebuilt through a copy in the staging schema, and only when a row would
   * change (row-changes.ts).
   */
  private async apply(step: CommitStep, loadId: string): Promise<void> {
    if (typeof step === "string") {
      await this.conn.execute(step);
      return;
    }
    let facts = this.facts.get(step.table);
    if (!facts) {
      facts = tableFacts(await this.conn.raw(`DESCRIBE TABLE EXTENDED ${step.table}`), step.table);
      this.facts.set(step.table, facts);
    }
    if (runsDml(facts)) {
      await this.conn.execute(dmlSql(step));
      return;
    }
    let copy = this.copies.get(step.table);
    if (!copy) {
      copy = this.qualified(this.stagingName(`_dlt_rebuild_${this.copies.size}`, loadId), this.stagingDataset);
      this.copies.set(step.table, copy);
    }
    const rebuild = rebuildSql(step, facts, copy);
    if ((await this.conn.raw(rebuild.probe)).length === 0) return;
    for (const sql of rebuild.statements) await this.conn.execute(sql);
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
          if (s) await this.apply({ kind: "delete", table: s, where: `${dbxQuote(C_ROOT_ID)} IN (${ids})` }, req.loadId);
        }
        await this.apply({ kind: "delete", table: staged.get(root.name)!, where: `${dbxQuote(C_ID)} IN (${ids})` }, req.loadId);
      }
    }
    const statements = chainStatements({
      root,
      children,
      disposition: entry.writeDisposition,
      target: (t) => this.qualified(t),
      staged,
    });
    for (const step of statements) await this.apply(step, req.loadId);
  }

  async dropDataset(): Promise<void> {
    for (const schema of [this.datasetName, this.stagingDataset]) {
      await this.conn.execute(`DROP SCHEMA IF EXISTS ${this.schemaName(schema)} CASCADE`);
    }
  }

  async close(): Promise<void> {
    try {
      await this.conn.close();
    } finally {
      await this.stager?.close();
    }
  }
}
