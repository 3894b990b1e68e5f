import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConfigResolver } from "../config/resolver.js";
import type { QuerySession } from "../destinations/query-session.js";
import { Pipeline } from "../pipeline/pipeline.js";
import { withQuerySession } from "../pipeline/query-session.js";
import type { PipelineState } from "../pipeline/state.js";
import { WorkingDir } from "../pipeline/working-dir.js";
import type { Schema } from "../schema/schema.js";
import type { Table } from "../schema/types.js";
import { ConfigError } from "../util/errors.js";

/**
 * The pipelines an MCP server sees: the working dirs under one pipelines dir (the data dir's,
 * or `[pipeline] pipelines_dir`), with the config of the folder the server started in, as `run`
 * and `show` see them. Everything here only reads.
 */
export class Workspace {
  constructor(
    readonly pipelinesDir: string,
    readonly config: ConfigResolver,
  ) {}

  pipelineNames(): string[] {
    if (!existsSync(this.pipelinesDir)) return [];
    return readdirSync(this.pipelinesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  }

  workingDir(name: string): WorkingDir {
    // A name is one folder of the pipelines dir, never a path that climbs out of it.
    if (!/^[^/\\]+$/.test(name) || name === "." || name === ".." || !existsSync(join(this.pipelinesDir, name))) {
      const known = this.pipelineNames();
      throw new ConfigError(`no pipeline named ${JSON.stringify(name)} in ${this.pipelinesDir}`, {
        hint: known.length > 0 ? `call list_pipelines: there are ${known.join(", ")}` : "run `sage-pipeline run` first",
      });
    }
    return new WorkingDir(join(this.pipelinesDir, name));
  }

  state(name: string): PipelineState {
    const state = this.workingDir(name).readState();
    if (!state) throw new ConfigError(`pipeline ${name} has not loaded anything yet`, { hint: "run it first" });
    return state;
  }

  /** dlt's `pipeline.default_schema`: the state's default schema, else the only/first stored one. */
  defaultSchema(name: string): Schema {
    const wd = this.workingDir(name);
    const state = wd.readState();
    const schemaName = state?.defaultSchemaName ?? state?.schemaNames[0] ?? wd.schemaNames()[0];
    const schema = schemaName !== undefined ? wd.readSchema(schemaName) : undefined;
    if (!schema) throw new ConfigError(`pipeline ${name} has no schema yet`, { hint: "run it first" });
    return schema;
  }

  table(name: string, tableName: string): Table {
    const schema = this.defaultSchema(name);
    const table = schema.get(tableName);
    if (!table) {
      throw new ConfigError(`pipeline ${name} has no table ${JSON.stringify(tableName)}`, {
        hint: "call list_tables for the table names",
      });
    }
    return table;
  }

  /** The pipeline as `run` would open it (destination and credentials from this folder's config). */
  pipeline(name: string): Pipeline {
    const state = this.state(name);
    return new Pipeline({
      pipelineName: name,
      datasetName: state.datasetName,
      destination: state.destinationName ?? "duckdb",
      pipelinesDir: this.pipelinesDir,
      config: this.config,
      restoreFromDestination: false,
    });
  }

  /**
   * `fn` on the destination's read-only query session (the dashboard's): the database refuses
   * writes, file and network access and extensions, and answers at most `[query] max_rows` rows.
   */
  async withQuerySession<T>(name: string, fn: (s: QuerySession) => Promise<T>): Promise<T> {
    return withQuerySession(this.pipeline(name), this.config, fn);
  }

  /** Failed load jobs of pending packages, with the destination's message (`pipeline <name> failed-jobs`). */
  failedJobs(name: string): Array<{ load_id: string; job: string; message: string }> {
    const store = this.workingDir(name).packages;
    const out: Array<{ load_id: string; job: string; message: string }> = [];
    for (const id of store.list("normalized")) {
      for (const job of store.jobFiles(id, "failed_jobs")) {
        const file = join(store.normalized(id), "failed_jobs", `${job}.exception`);
        out.push({ load_id: id, job, message: existsSync(file) ? readFileSync(file, "utf8") : "" });
      }
    }
    return out;
  }
}
