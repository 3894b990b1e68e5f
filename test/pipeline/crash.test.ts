import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

const root = tempDir("sp-crash-");
const script = join(import.meta.dirname, "..", "fixtures", "crash-run.mjs");

function runChild(dir: string, crashAt?: string) {
  const env = { ...process.env, SAGE_PIPELINE_CRASH_AT: crashAt ?? "" };
  return spawnSync(process.execPath, [script, dir], { env, encoding: "utf8", timeout: 60_000 });
}

async function snapshot(dir: string) {
  const p = new Pipeline({
    pipelineName: "crashy",
    datasetName: "data",
    config: emptyConfig(),
    destination: duckdb({ credentials: join(dir, "crashy.duckdb") }),
    pipelinesDir: join(dir, "pipelines"),
    restoreFromDestination: false,
  });
  const q = (sql: string) => p.dataset().sql(sql).rows();
  return {
    counts: await p.dataset().rowCounts(),
    invoices: await q("select id, updated_at, total from invoices order by id"),
    lines: await q(
      "select i.id, l.sku, l.qty from invoices i join invoices__lines l on l._dlt_root_id = i._dlt_id order by i.id, l.sku",
    ),
    events: await q("select seq, kind from events order by seq"),
    snapshot: await q("select k, v from snapshot order by k"),
    log: await q("select line from log"),
    loads: (await q("select count(*) as n from _dlt_loads where status = 0"))[0],
  };
}

describe("crash safety: killing the process at any step loses and duplicates nothing", () => {
  const reference = join(root, "reference");
  mkdirSync(reference, { recursive: true });

  it("an uninterrupted pair of runs is the reference", async () => {
    for (let i = 0; i < 2; i++) expect(runChild(reference).status).toBe(0);
    const snap = await snapshot(reference);
    expect(snap.counts).toEqual({ invoices: 50, invoices__lines: 100, events: 30, snapshot: 2, log: 2 });
  });

  for (const point of ["after_extract", "after_normalize", "after_load_commit"]) {
    it(`crash ${point}, then run again`, async () => {
      const dir = join(root, point);
      mkdirSync(dir, { recursive: true });
      const crashed = runChild(dir, point);
      expect(crashed.signal).toBe("SIGKILL");
      const pending = join(
        dir,
        "pipelines",
        "crashy",
        "packages",
        point === "after_load_commit" ? "normalized" : point === "after_normalize" ? "normalized" : "extracted",
      );
      expect(existsSync(pending)).toBe(true);
      const rerun = runChild(dir);
      expect(rerun.status, rerun.stderr).toBe(0);
      const info = JSON.parse(rerun.stdout) as { loadPackages: Array<{ alreadyLoaded: boolean }> };
      // the pending package is finished first, then the new run's package
      expect(info.loadPackages).toHaveLength(2);
      expect(info.loadPackages[0]!.alreadyLoaded).toBe(point === "after_load_commit");
      expect(await snapshot(dir)).toEqual(await snapshot(reference));
    });
  }
});
