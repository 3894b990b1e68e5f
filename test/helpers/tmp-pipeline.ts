import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { ConfigResolver, EnvProvider } from "../../src/config/index.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { Pipeline, type PipelineOptions } from "../../src/pipeline/index.js";

/** A temp folder removed after the test file. */
export function tempDir(prefix = "sp-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Config that sees no environment and no TOML files, so tests don't depend on the machine. */
export function emptyConfig(env: Record<string, string> = {}): ConfigResolver {
  return new ConfigResolver([new EnvProvider(env)]);
}

let counter = 0;

/** A DuckDB pipeline whose working dir and database live in `dir`. */
export function duckPipeline(dir: string, opts: Partial<PipelineOptions> & { pipelineName?: string } = {}): Pipeline {
  const name = opts.pipelineName ?? `p${++counter}`;
  return new Pipeline({
    pipelineName: name,
    datasetName: opts.datasetName ?? "data",
    destination: opts.destination ?? duckdb({ credentials: join(dir, `${name}.duckdb`) }),
    pipelinesDir: join(dir, "pipelines"),
    config: emptyConfig(),
    ...opts,
  });
}
