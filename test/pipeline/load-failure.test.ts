import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ConnectOptions, Destination, DestinationClient } from "../../src/destinations/destination.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { resource } from "../../src/extract/index.js";
import { PipelineStepFailed } from "../../src/util/errors.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir();

/** DuckDB, except that the first `failures` loads throw (a dropped connection, say). */
function flaky(failures: number): Destination {
  const inner = duckdb({ credentials: join(dir, "flaky.duckdb") });
  let left = failures;
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    location: (o: ConnectOptions) => inner.location(o),
    async connect(o: ConnectOptions): Promise<DestinationClient> {
      const c = await inner.connect(o);
      return new Proxy(c, {
        get(target, prop, receiver) {
          if (prop === "load" && left > 0) {
            return () => {
              left--;
              return Promise.reject(new Error("connection reset by peer"));
            };
          }
          const v: unknown = Reflect.get(target, prop, receiver);
          return typeof v === "function" ? (v as (...args: unknown[]) => unknown).bind(target) : v;
        },
      });
    },
  };
}

describe("a load that fails", () => {
  it("keeps the package with its jobs in failed_jobs, and the next run loads it once", async () => {
    const rows = resource(
      function* () {
        yield [{ id: 1 }, { id: 2 }];
      },
      { name: "things" },
    );
    const p = duckPipeline(dir, { pipelineName: "flaky", destination: flaky(1) });
    const err = await p.run(rows).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineStepFailed);
    expect((err as PipelineStepFailed).step).toBe("load");
    expect((err as Error).message).toContain("connection reset by peer");
    const pending = p.workingDir.packages.list("normalized");
    expect(pending).toHaveLength(1);
    const failedDir = join(p.workingDir.packages.normalized(pending[0]!), "failed_jobs");
    const failed = readdirSync(failedDir);
    expect(failed.some((f) => f.endsWith(".exception"))).toBe(true);
    expect(
      readFileSync(
        join(
          failedDir,
          failed.find((f) => f.endsWith(".exception"))!,
        ),
        "utf8",
      ),
    ).toContain("connection reset by peer");

    // The CLI shows the failure of the pending package.
    const cli = spawnSync(
      process.execPath,
      [join(import.meta.dirname, "..", "..", "dist", "cli", "main.js"), "pipeline", "flaky", "failed-jobs"],
      {
        encoding: "utf8",
        env: { ...process.env, SAGE_PIPELINE_DATA_DIR: dir },
      },
    );
    expect(cli.stdout).toContain(`Load package ${pending[0]}: 1 failed job(s)`);
    expect(cli.stdout).toContain("connection reset by peer");

    const info = await p.run(rows);
    expect(info.loadPackages).toHaveLength(2); // the pending one first, then this run's
    expect(await p.dataset().table("things").count()).toBe(4); // two runs of an append resource
    expect(p.workingDir.packages.list("normalized")).toHaveLength(0);
    const loaded = p.workingDir.packages.loaded(pending[0]!);
    expect(existsSync(join(loaded, "failed_jobs")) ? readdirSync(join(loaded, "failed_jobs")) : []).toEqual([]);
  });
});
