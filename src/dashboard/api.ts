import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { ConfigResolver } from "../config/resolver.js";
import { Pipeline } from "../pipeline/pipeline.js";
import { WorkingDir } from "../pipeline/working-dir.js";
import { ConfigError } from "../util/errors.js";
import { checkReadOnly } from "./read-only-sql.js";

/** What the dashboard shows; every answer is JSON made of state the pipeline already keeps. */
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

  private workingDir(name: string): WorkingDir {
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

  /** Working dir facts, the state (cursors), the schemas and the last trace. */
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
      location: p ? await p.location() : null,
      packages: { extracted: store.list("extracted"), normalized: store.list("normalized"), loaded: store.list("loaded").length },
      state: state ?? null,
      schemas: wd.schemaNames().map((s) => wd.readSchema(s)?.toJSON()),
      trace: wd.readTrace() ?? null,
    };
  }

  /** Rows per data table, and the load history from `_dlt_loads`. */
  async data(name: string): Promise<Record<string, unknown>> {
    const ds = this.pipeline(name).dataset();
    const rowCounts = await ds.rowCounts();
    const loads = await ds
      .sql("select load_id, schema_name, status, inserted_at from _dlt_loads order by load_id desc limit 50")
      .rows()
      .catch(() => []);
    return { rowCounts, loads };
  }

  async query(name: string, sql: string, limit = 500): Promise<{ columns: string[]; rows: unknown[][]; truncated: boolean }> {
    const checked = checkReadOnly(sql);
    const rows = await this.pipeline(name)
      .dataset()
      .sql(`select * from (${checked}) as q limit ${limit + 1}`)
      .rows();
    const columns = rows.length > 0 ? Object.keys(rows[0]!) : [];
    return {
      columns,
      rows: rows.slice(0, limit).map((r) => columns.map((c) => r[c])),
      truncated: rows.length > limit,
    };
  }
}
