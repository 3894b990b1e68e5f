import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { dataDir } from "../config/providers.js";
import { PackageStore } from "../package/store.js";
import { Schema, type StoredSchema } from "../schema/schema.js";
import { writeJsonAtomic } from "../util/fs-atomic.js";
import type { ReconcileRecord } from "./reconciliation.js";
import { type PipelineState, parseState } from "./state.js";

/** Runs `trace-history.json` keeps (the dashboard charts them): the newest, rewritten after each run. */
export const TRACE_HISTORY_RUNS = 50;

/** `<data dir>/pipelines/<pipeline_name>`: state, schemas, packages, the last trace and the recent ones. */
export class WorkingDir {
  readonly packages: PackageStore<PipelineState>;

  // Nothing is created here: readers (the dashboard, `pipeline info`) must not write; every
  // writer below creates what it needs.
  constructor(readonly path: string) {
    this.packages = new PackageStore(path, parseState);
  }

  static forPipeline(pipelineName: string, pipelinesDir?: string): WorkingDir {
    return new WorkingDir(join(pipelinesDir ?? join(dataDir(), "pipelines"), pipelineName));
  }

  readState(): PipelineState | undefined {
    const f = join(this.path, "state.json");
    return existsSync(f) ? parseState(JSON.parse(readFileSync(f, "utf8")), f) : undefined;
  }

  writeState(state: PipelineState): void {
    writeJsonAtomic(join(this.path, "state.json"), state);
  }

  schemaFile(name: string): string {
    return join(this.path, "schemas", `${name}.schema.json`);
  }

  readSchema(name: string): Schema | undefined {
    const f = this.schemaFile(name);
    return existsSync(f) ? Schema.fromJSON(JSON.parse(readFileSync(f, "utf8")) as StoredSchema) : undefined;
  }

  writeSchema(schema: Schema): void {
    writeJsonAtomic(this.schemaFile(schema.name), schema.toJSON());
  }

  schemaNames(): string[] {
    const d = join(this.path, "schemas");
    return existsSync(d)
      ? readdirSync(d)
          .filter((f) => f.endsWith(".schema.json"))
          .map((f) => f.slice(0, -12))
      : [];
  }

  /** `pipeline X sync`: drop the local state and schemas, so the next sync takes the destination's. */
  forgetStateAndSchemas(): void {
    rmSync(join(this.path, "state.json"), { force: true });
    rmSync(join(this.path, "schemas"), { recursive: true, force: true });
  }

  /** The run's trace (`trace.json`, what `pipeline X trace` prints), also added to the history. */
  writeTrace(trace: unknown): void {
    const history = [...this.readTraceHistory(), trace].slice(-TRACE_HISTORY_RUNS);
    writeJsonAtomic(join(this.path, "trace.json"), trace);
    writeJsonAtomic(join(this.path, "trace-history.json"), history);
  }

  /**
   * The traces of the last runs, oldest first (a working dir from before the history has only its
   * last trace).
   */
  readTraceHistory(): unknown[] {
    const f = join(this.path, "trace-history.json");
    if (existsSync(f)) {
      const list: unknown = JSON.parse(readFileSync(f, "utf8"));
      return Array.isArray(list) ? list : [];
    }
    const last = this.readTrace();
    return last === undefined ? [] : [last];
  }

  /** The newest reconciliation per resource and part (`reconciliation.json`), for `show`. */
  readReconciliation(): ReconcileRecord[] {
    const f = join(this.path, "reconciliation.json");
    return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as ReconcileRecord[]) : [];
  }

  writeReconciliation(records: ReconcileRecord[]): void {
    writeJsonAtomic(join(this.path, "reconciliation.json"), records);
  }

  readTrace(): unknown {
    const f = join(this.path, "trace.json");
    return existsSync(f) ? JSON.parse(readFileSync(f, "utf8")) : undefined;
  }
}
