import { randomBytes } from "node:crypto";
import { stateRowFrom } from "../state-row.js";
import type { Schema, StoredSchema } from "../../schema/schema.js";
import { LOADS_TABLE, STATE_TABLE, VERSION_TABLE } from "../../schema/system-tables.js";
import { PipelineError } from "../../util/errors.js";
import type { DestinationClient, LoadJob, LoadRequest, ResultRow, StateRow } from "../destination.js";
import { createTableSql } from "./ddl.js";
import type { SqlDialect } from "./dialect.js";
import { type ChainSql, appendSql, clearChainSql, hasMergeKeys, mergeSql, replaceSql } from "./dispositions.js";
import type { SqlConnection } from "./sql-connection.js";

/** How many `_dlt_pipeline_state` rows to keep per pipeline (dlt keeps all; its users' tables grew to GBs). */
const KEEP_STATE_ROWS = 10;

export class LoadError extends PipelineError {}

/**
 * The load path every SQL destination shares: one transaction that migrates the schema,
 * stages the package's files, applies the write dispositions and records the load and the
 * pipeline state. A destination supplies a dialect (types, quoting, staging) and a connection.
 */
export class SqlJobClient implements DestinationClient {
  constructor(
    readonly datasetName: string,
    protected readonly conn: SqlConnection,
    protected readonly dialect: SqlDialect,
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

  async isLoaded(loadId: string): Promise<boolean> {
    if (!(await this.hasTable(LOADS_TABLE))) return false;
    const rows = await this.conn.query(`SELECT 1 AS x FROM ${this.qualified(LOADS_TABLE)} WHERE load_id = $1 AND status = 0`, [
      loadId,
    ]);
    return rows.length > 0;
  }

  async storedSchema(schemaName: string): Promise<StoredSchema | undefined> {
    if (!(await this.hasTable(VERSION_TABLE))) return undefined;
    const rows = await this.conn.query(
      `SELECT ${this.dialect.quote("schema")} AS s FROM ${this.qualified(VERSION_TABLE)} WHERE schema_name = $1 ORDER BY version DESC, inserted_at DESC LIMIT 1`,
      [schemaName],
    );
    const s = rows[0]?.s;
    return typeof s === "string" ? (JSON.parse(s) as StoredSchema) : undefined;
  }

  async storedState(pipelineName: string): Promise<StateRow | undefined> {
    if (!(await this.hasTable(STATE_TABLE)) || !(await this.hasTable(LOADS_TABLE))) return undefined;
    const rows = await this.conn.query(
      `SELECT s.version, s.engine_version, s.pipeline_name, s.state, s.created_at, s.version_hash, s._dlt_load_id, s._dlt_id
       FROM ${this.qualified(STATE_TABLE)} AS s JOIN ${this.qualified(LOADS_TABLE)} AS l ON l.load_id = s._dlt_load_id
       WHERE s.pipeline_name = $1 AND l.status = 0 ORDER BY s.version DESC, l.load_id DESC LIMIT 1`,
      [pipelineName],
    );
    const r = rows[0];
    if (!r) return undefined;
    return stateRowFrom(r);
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

  async load(req: LoadRequest): Promise<void> {
    const { schema } = req;
    await this.conn.execute("BEGIN");
    try {
      if (this.dialect.lockDatasetSql) await this.conn.execute(this.dialect.lockDatasetSql(this.datasetName));
      // Checked inside the transaction too: two processes must not both load one package.
      if (await this.isLoaded(req.loadId)) {
        await this.conn.execute("ROLLBACK");
        return;
      }
      await this.migrate(schema);
      const files = new Map<string, LoadJob[]>();
      for (const j of req.jobs) {
        let list = files.get(j.table);
        if (!list) files.set(j.table, (list = []));
        list.push(j);
      }
      let n = 0;
      for (const entry of req.rootTables) {
        const root = schema.get(entry.table);
        if (!root) continue; // a resource that yielded nothing and never had a table
        const children = schema.descendants(root.name);
        const temp = `_dlt_tmp_${n++}_${randomBytes(3).toString("hex")}`;
        const sources = new Map<string, string>();
        const staged: string[] = [];
        const chainTables = [root, ...children];
        const direct = this.dialect.insertFiles && (entry.writeDisposition !== "merge" || !hasMergeKeys(root));
        if (direct) {
          // Append and replace need no dedup: rows go straight into the dataset tables.
          if (entry.writeDisposition === "replace") {
            for (const sql of clearChainSql({ root, children, qualified: (t) => this.qualified(t) }))
              await this.conn.execute(sql);
          }
          for (const t of chainTables) {
            const f = files.get(t.name);
            if (!f || f.length === 0) continue;
            await this.dialect.insertFiles!(this.conn, this.qualified(t.name), t, f);
            for (const j of req.jobs) if (j.table === t.name) req.onJobStaged?.(j);
          }
          continue;
        }
        for (const [i, t] of chainTables.entries()) {
          const f = files.get(t.name);
          if (!f || f.length === 0) continue;
          if (this.dialect.source) {
            sources.set(t.name, `(${this.dialect.source(t, f)})`);
          } else if (this.dialect.stage) {
            const name = `${temp}_stg${i}`;
            await this.dialect.stage(this.conn, name, t, f);
            sources.set(t.name, name);
            staged.push(name);
          } else {
            throw new LoadError(`destination dialect ${this.dialect.name} can neither read nor stage load files`);
          }
          for (const j of req.jobs) if (j.table === t.name) req.onJobStaged?.(j);
        }
        const superseded = req.superseded?.[root.name] ?? [];
        const chain: ChainSql = {
          dialect: this.dialect,
          schema,
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
      await this.recordVersion(schema);
      if (req.stateRow) await this.recordState(req);
      await this.conn.execute(
        `INSERT INTO ${this.qualified(LOADS_TABLE)} (load_id, schema_name, status, inserted_at, schema_version_hash) VALUES ($1, $2, 0, $3, $4)`,
        [req.loadId, schema.name, new Date().toISOString(), schema.versionHash],
      );
      await this.conn.execute("COMMIT");
    } catch (err) {
      await this.conn.execute("ROLLBACK").catch(() => undefined);
      throw err;
    }
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
    await this.conn.execute(
      `INSERT INTO ${this.qualified(VERSION_TABLE)} (version, engine_version, inserted_at, schema_name, version_hash, ${this.dialect.quote("schema")}) VALUES ($1, $2, $3, $4, $5, $6)`,
      [schema.version, 1, new Date().toISOString(), schema.name, schema.versionHash, JSON.stringify(schema.toJSON())],
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
