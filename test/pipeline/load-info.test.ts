import { describe, expect, it } from "vitest";
import { resource, source } from "../../src/extract/index.js";
import { LoadInfo, humanizeSeconds } from "../../src/pipeline/index.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir();

describe("LoadInfo", () => {
  it("prints dlt's text and gives the same facts as JSON", async () => {
    const p = duckPipeline(dir, { pipelineName: "sage_accounting_pipeline", datasetName: "sage_accounting_data" });
    const invoices = resource(
      function* () {
        yield [{ id: 1, lines: [{ sku: "A" }] }];
      },
      { name: "invoices", primaryKey: "id", writeDisposition: "merge" },
    );
    const info = await p.run(source("demo", [invoices]));
    const lines = String(info).split("\n");
    expect(lines[0]).toMatch(/^Pipeline sage_accounting_pipeline load step completed in \d+\.\d\d seconds$/);
    expect(lines[1]).toBe("1 load package(s) were loaded to destination duckdb and into dataset sage_accounting_data");
    expect(lines[2]).toMatch(/^The duckdb destination used duckdb:\/.*sage_accounting_pipeline\.duckdb location to store data$/);
    expect(lines[3]).toMatch(/^Load package \d+\.\d{6} is LOADED and contains no failed jobs$/);
    const json = info.toJSON() as { rowCounts: Record<string, number>; loadPackages: Array<{ loadId: string; state: string }> };
    expect(json.rowCounts).toEqual({ invoices: 1, invoices__lines: 1 });
    expect(json.loadPackages[0]!.state).toBe("LOADED");
    expect(lines[3]).toContain(json.loadPackages[0]!.loadId);
    // the issue's own example: the dataset API
    expect(await p.dataset().table("invoices").limit(10).rows()).toEqual([
      expect.objectContaining({ id: 1, _dlt_load_id: json.loadPackages[0]!.loadId }),
    ]);
  });

  it("reports the load step's own duration, as dlt does (the run's total goes to the trace)", async () => {
    const p = duckPipeline(dir, { pipelineName: "timed" });
    const slowExtract = resource(
      async function* () {
        // Extract takes at least a second; the load step cannot include it.
        await new Promise((r) => setTimeout(r, 1000));
        yield [{ id: 1 }];
      },
      { name: "slow" },
    );
    const info = await p.run(slowExtract);
    expect(info.elapsedSeconds).toBeGreaterThanOrEqual(1);
    expect(info.loadSeconds).toBeGreaterThan(0);
    expect(info.loadSeconds).toBeLessThanOrEqual(info.elapsedSeconds - 1);
    expect(String(info).split("\n")[0]).toBe(`Pipeline timed load step completed in ${humanizeSeconds(info.loadSeconds)}`);
    expect(info.toJSON()).toMatchObject({ loadSeconds: info.loadSeconds, elapsedSeconds: info.elapsedSeconds });
    const trace = p.lastTrace as { startedAt: string; finishedAt: string };
    expect(Date.parse(trace.finishedAt) - Date.parse(trace.startedAt)).toBeGreaterThanOrEqual(1000);
  });

  it("reports unfinished packages and failed jobs like dlt", () => {
    const t = new Date(0);
    const info = new LoadInfo("p", "duckdb", "duckdb:/x.duckdb", "d", t, new Date(1500), [
      { loadId: "1.000001", schemaName: "s", state: "NORMALIZED", jobs: [], rowCounts: {}, alreadyLoaded: false },
      {
        loadId: "1.000002",
        schemaName: "s",
        state: "LOADED",
        jobs: [{ table: "t", file: "t.abc.0.jsonl", rows: 1, state: "failed", failedMessage: "boom" }],
        rowCounts: {},
        alreadyLoaded: false,
      },
    ]);
    const text = String(info);
    expect(text).toContain("Pipeline p load step completed in 1.50 seconds");
    expect(text).toContain("Load package 1.000001 is NORMALIZED and NOT YET LOADED to the destination");
    expect(text).toContain("Load package 1.000002 is LOADED and contains 1 FAILED job(s)!");
    expect(text).toContain("[t.abc.0.jsonl]: boom");
    expect(info.hasFailedJobs).toBe(true);
    expect(humanizeSeconds(75.5)).toBe("1 minute and 15.50 seconds");
  });
});
