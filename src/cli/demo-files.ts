import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { dataDir } from "../config/providers.js";
import { ConfigError } from "../util/errors.js";
import { writeJsonAtomic } from "../util/fs-atomic.js";

export const DEMO_PIPELINE = "sage_accounting_pipeline";
export const DEMO_DATASET = "sage_accounting_data";

/**
 * The demo's working dir and its DuckDB file belong together: every demo starts a new sandbox,
 * so a working dir left by an earlier demo (its cursors, its packages) or a file left by one
 * (rows of another sandbox) would make the new demo load next to nothing or mix two worlds.
 * Each demo therefore resets both. The demo's pipelines live under `<data dir>/demo`, apart
 * from real ones; `<data dir>/demo-files.json` lists the DuckDB files demos wrote, so a demo
 * deletes only its own file and never one a real `run` wrote in the same folder.
 */
export class DemoFiles {
  readonly pipelinesDir: string;
  readonly duckdbFile: string;
  private readonly registry: string;

  constructor(cwd = process.cwd(), data = dataDir()) {
    this.pipelinesDir = join(data, "demo");
    this.duckdbFile = resolve(cwd, `${DEMO_PIPELINE}.duckdb`);
    this.registry = join(data, "demo-files.json");
  }

  private written(): string[] {
    if (!existsSync(this.registry)) return [];
    const parsed: unknown = JSON.parse(readFileSync(this.registry, "utf8"));
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
  }

  /** Delete what an earlier demo left (working dir, and the DuckDB file if a demo wrote it). */
  reset(): void {
    if (existsSync(this.duckdbFile) && !this.written().includes(this.duckdbFile)) {
      throw new ConfigError(`${this.duckdbFile} exists and was not written by the demo (it may hold your own Sage data)`, {
        hint: "run the demo in another folder, or move that file away first",
      });
    }
    rmSync(this.duckdbFile, { force: true });
    rmSync(`${this.duckdbFile}.wal`, { force: true });
    rmSync(join(this.pipelinesDir, DEMO_PIPELINE), { recursive: true, force: true });
  }

  /** Record the DuckDB file before the demo writes it, so the next demo may reset it. */
  claim(): void {
    const files = this.written();
    if (!files.includes(this.duckdbFile)) writeJsonAtomic(this.registry, [...files, this.duckdbFile]);
  }
}
