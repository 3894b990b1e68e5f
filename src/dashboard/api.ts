import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { ConfigResolver } from "../config/resolver.js";
import type { QueryAnswer, QuerySession } from "../destinations/query-session.js";
import { Pipeline } from "../pipeline/pipeline.js";
import { recordedLocation, sessionRowCounts, withQuerySession } from "../pipeline/query-session.js";
import { WorkingDir } from "../pipeline/working-dir.js";
import type { ResultRow } from "../destinations/destination.js";
import { ConfigError } from "../util/errors.js";
import { redactUrl } from "../util/redact.js";

/**
 * What the dashboard shows; every answer is JSON made of state the pipeline already keeps. The
 * dataset is read only through the destination's read-only query session: the database refuses
 * anything else, whatever SQL the query box sends.
 */
export class DashboardApi {
  constructor(
    private readonly pipelinesDir: string,
    private readonly config: ConfigResolver,
  ) {}

  pipelines(): Array<{ name: string; dataset: string | null; destination: string | null; stateVersion: number }> {
    if (!existsSync(this.pipelinesDir)) return [];
    return readdirSync(this.pipelinesDir)
      .sort()
      .map((name) => {
        const state = new WorkingDir(join(this.pipelinesDir, name)).readState();
        return {
          name,
          dataset: state?.datasetName ?? null,
          destination: state?.destinationName ?? null,
          stateVersion: state?._stateVersion ?? 0,
        };
      });
  }

  pipelineNames(): string[] {
    return existsSync(this.pipelinesDir) ? readdirSync(this.pipelinesDir).sort() : [];
  }

  workingDir(name: string): WorkingDir {
    if (!/^[^/\\]+$/.test(name) || !existsSync(join(this.pipelinesDir, name))) {
      throw new ConfigError(`no pipeline named ${JSON.stringify(name)} in ${this.pipelinesDir}`);
    }
    return new WorkingDir(join(this.pipelinesDir, name));
  }

  private pipeline(name: string): Pipeline {
    const state = this.workingDir(name).readState();
    if (!state) throw new ConfigError(`pipeline ${name} has not loaded anything yet`);
    return new Pipeline({
      pipelineName: name,
      datasetName: state.datasetName,
      destination: state.destinationName ?? "duckdb",
      pipelinesDir: this.pipelinesDir,
      config: this.config,
      restoreFromDestination: false,
    });
  }

  /** A read-only query session on the pipeline's dataset, closed after `fn`. */
  async withSession<T>(name: string, fn: (s: QuerySession) => Promise<T>): Promise<T> {
    return withQuerySession(this.pipeline(name), this.config, fn);
  }

  /** Working dir facts, the state (cursors), the schemas, the last trace and the newest reconciliation per resource and part. */
  async overview(name: string): Promise<Record<string, unknown>> {
    const wd = this.workingDir(name);
    const store = wd.packages;
    const state = wd.readState();
    const p = state ? this.pipeline(name) : undefined;
    return {
      name,
      workingDir: wd.path,
      dataset: state?.datasetName ?? null,
      destination: state?.destinationName ?? null,
      location: p ? (recordedLocation(wd.readTrace()) ?? (await p.location())) : null,
      packages: { extracted: store.list("extracted"), normalized: store.list("normalized"), loaded: store.list("loaded").length },
      state: state ?? null,
      schemas: wd.schemaNames().map((s) => wd.readSchema(s)?.toJSON()),
      trace: wd.readTrace() ?? null,
      reconciliation: wd.readReconciliation(),
    };
  }

  /** Rows per data table, the load history from `_dlt_loads` and the newest quarantined items from `_dlt_rejected`. */
  async data(name: string): Promise<Record<string, unknown>> {
    return this.withSession(name, async (session) => {
      const tables = await session.tableNames();
      const rowCounts = await sessionRowCounts(session, tables);
      const loads = tables.includes("_dlt_loads")
        ? (await session.query("select load_id, schema_name, status, inserted_at from _dlt_loads order by load_id desc limit 50"))
            .rows
        : [];
      const rejected = tables.includes("_dlt_rejected")
        ? (await session.query("select * from _dlt_rejected order by load_id desc, item_index limit 50")).rows.map(rejectedItem)
        : [];
      return { rowCounts, loads, rejected };
    });
  }

  /** A user's SQL, as the database answers it (at most `[query] max_rows` rows). */
  async query(name: string, sql: string): Promise<{ columns: string[]; rows: unknown[][]; truncated: boolean }> {
    if (!sql.trim()) throw new ConfigError("the query is empty");
    const answer: QueryAnswer = await this.withSession(name, (s) => s.query(sql));
    return {
      columns: answer.columns,
      rows: answer.rows.map((r) => answer.columns.map((c) => r[c])),
      truncated: answer.truncated,
    };
  }
}

/**
 * A `_dlt_rejected` row as the Runs view lists it. `select *` because datasets loaded before
 * `page_url` existed lack that column (null here); only these columns leave the server (the raw
 * `item` stays in the database). The page URL was stored redacted; it is redacted again so a
 * secret this process knows never reaches the page, whatever an older load stored.
 */
function rejectedItem(r: ResultRow): Record<string, unknown> {
  const page = r.page_url;
  return {
    load_id: r.load_id,
    resource: r.resource,
    business_id: r.business_id ?? null,
    item_id: r.item_id ?? null,
    item_index: r.item_index,
    page_url: typeof page === "string" ? redactUrl(page) : null,
    reason: r.reason,
  };
}
