import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigResolver } from "../../src/config/resolver.js";
import { resource } from "../../src/extract/resource.js";
import { type Pipeline, pipeline } from "../../src/pipeline/pipeline.js";
import { RejectedItemsError } from "../../src/pipeline/incomplete.js";
import type { LoadInfo } from "../../src/pipeline/load-info.js";
import { type Generation, WRITE_CASES, datasetSnapshot } from "./bigquery-crash-data.js";
import { DatabricksConnection } from "../../src/destinations/databricks/index.js";
import { conformanceSuite } from "./conformance.js";
import { type FailWhen, type SparkThriftServer, databricksOnSpark, sparkSkipReason, startSparkThrift } from "./spark-thrift.js";
import { SPARK_ENGINE_GAPS } from "./databricks-gaps.js";

// The Databricks destination through the official driver against Apache Spark's Thrift server
// (spark-thrift.ts says what differs from a Databricks SQL warehouse); skipped with the reason
// where Java or the pinned test venv is missing.
const skip = sparkSkipReason();
// Every statement is a Spark job (about a second on this shared machine) and a load runs dozens.
vi.setConfig({ testTimeout: 600_000 });
let server: SparkThriftServer | undefined;
beforeAll(async () => {
  if (!skip) server = await startSparkThrift();
}, 240_000);
afterAll(async () => {
  await server?.stop();
}, 60_000);

async function dropSchemas(...names: string[]): Promise<void> {
  if (!server) return;
  const conn = await DatabricksConnection.open({
    serverHostname: server.host,
    httpPath: server.httpPath,
    connectOptions: server.connectOptions,
  });
  try {
    for (const s of names) await conn.execute(`DROP SCHEMA IF EXISTS \`${s}\` CASCADE`);
  } finally {
    await conn.close();
  }
}

conformanceSuite({
  name: "databricks (Apache Spark Thrift server, Parquet tables)",
  skip,
  destination: () => databricksOnSpark(server!),
  nul: "kept",
  skipCases: SPARK_ENGINE_GAPS,
  dropDataset: (name) => dropSchemas(name, `${name}_staging`),
});

describe.skipIf(skip !== undefined)(
  `databricks commit steps on Spark: a crash between steps, then a rerun${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    const root = mkdtempSync(join(tmpdir(), "dbx-commit-"));
    const datasets: string[] = [];
    afterAll(async () => {
      for (const d of datasets) await dropSchemas(d, `${d}_staging`);
      rmSync(root, { recursive: true, force: true });
    });

    it("a load that dies between the root's and the child's insert, or before _dlt_loads, finishes exactly once on the next run", async () => {
      const datasetName = `dbx_crash_${Math.random().toString(36).slice(2, 8)}`;
      datasets.push(datasetName);
      const make = (failWhen?: FailWhen) =>
        pipeline({
          pipelineName: "dbx_crash",
          destination: databricksOnSpark(server!, {}, failWhen),
          datasetName,
          pipelinesDir: join(root, "p"),
          config: new ConfigResolver([]),
        });
      const data = (gen: number, disposition: "append" | "replace") =>
        resource(
          function* () {
            yield [
              { id: gen * 10 + 1, v: `a${gen}`, lines: [{ n: 1 }, { n: 2 }] },
              { id: gen * 10 + 2, v: `b${gen}`, lines: [{ n: 3 }] },
            ];
          },
          { name: "inv", writeDisposition: disposition },
        );
      await make().run(data(1, "append"));
      // Dies after the root's rows are in (step 4), before its child table's.
      await expect(
        make((sql) => sql.startsWith("INSERT INTO") && sql.includes("`inv__lines` (")).run(data(2, "append")),
      ).rejects.toThrow(/simulated crash/);
      const ds = make().dataset();
      // Between steps a reader sees the chain half-applied; only _dlt_loads says what committed.
      expect(await ds.table("inv").count()).toBe(4);
      expect(await ds.table("inv__lines").count()).toBe(3);
      expect(await ds.table("_dlt_loads").count()).toBe(1);
      expect((await make().load()).loadPackages.map((x) => x.alreadyLoaded)).toEqual([false]);
      expect((await ds.table("inv").orderBy("id").rows()).map((r) => r.v)).toEqual(["a1", "b1", "a2", "b2"]);
      expect(await ds.table("inv__lines").count()).toBe(6);
      expect(await ds.table("_dlt_loads").count()).toBe(2);

      // A replace that dies after both tables were swapped, before the _dlt_loads row.
      await expect(
        make((sql) => sql.includes("INSERT INTO") && sql.includes("`_dlt_loads`")).run(data(3, "replace")),
      ).rejects.toThrow(/simulated crash/);
      expect(await ds.table("_dlt_loads").count()).toBe(2);
      expect((await make().load()).loadPackages.map((x) => x.alreadyLoaded)).toEqual([false]);
      expect((await ds.table("inv").orderBy("id").rows()).map((r) => r.v)).toEqual(["a3", "b3"]);
      expect(await ds.table("inv__lines").count()).toBe(3);
      expect(await ds.table("_dlt_loads").count()).toBe(3);
      expect((await make().load()).loadPackages).toEqual([]);
      // The staging tables of both interrupted loads were dropped when they finished.
      const conn = await DatabricksConnection.open({
        serverHostname: server!.host,
        httpPath: server!.httpPath,
        connectOptions: server!.connectOptions,
      });
      try {
        expect(await conn.raw(`SHOW TABLES IN \`${datasetName}_staging\``)).toEqual([]);
      } finally {
        await conn.close();
      }
    });
  },
);

describe.skipIf(skip !== undefined)(
  `databricks merge commit on Spark: rebuilds, key sets and _dlt_rejected after a crash${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    const root = mkdtempSync(join(tmpdir(), "dbx-merge-crash-"));
    const datasets: string[] = [];
    afterAll(async () => {
      for (const d of datasets) await dropSchemas(d, `${d}_staging`);
      rmSync(root, { recursive: true, force: true });
    });

    // BigQuery's merge generations (bigquery-crash-data.ts: an update with new child rows, a
    // superseded copy, a hard delete, a key set that marks, a quarantined item), loaded into a
    // reference dataset and into one whose commit dies at a chosen statement; after the rerun both
    // must read the same. Failing every write in turn, as bigquery-commit.test.ts does, would take
    // hours on Spark (a statement is about a second here), so the points are the ones this engine's
    // path adds: a rebuild between its copy and its overwrite, and the commit row after the key
    // set's counts were stored, its marks applied and the quarantined items inserted.
    it("a crash inside a rebuild, or before _dlt_loads, reruns to the uninterrupted load's rows, counts and _dlt_rejected", async () => {
      const merge = WRITE_CASES.find((c) => c.name === "merge")!;
      const tag = Math.random().toString(36).slice(2, 7);
      let failWhen: FailWhen | undefined;
      const make = (name: string, faulty: boolean): Pipeline => {
        datasets.push(name);
        return pipeline({
          pipelineName: "dbx_merge_crash",
          destination: databricksOnSpark(server!, {}, faulty ? (sql) => failWhen?.(sql) ?? false : undefined),
          datasetName: name,
          pipelinesDir: join(root, name),
          config: new ConfigResolver([]),
        });
      };
      const pr = make(`dbx_mc_r_${tag}`, false);
      const pf = make(`dbx_mc_f_${tag}`, true);
      const counts = (info: LoadInfo) => info.reconciliation.map(({ loadId: _, ...r }) => r);
      const run = async (p: Pipeline, g: Generation) =>
        counts(
          await p.run(resource(g.fn, { name: "items", ...merge.hints })).catch((err: unknown) => {
            if (g.quarantines && err instanceof RejectedItemsError) return err.loadInfo;
            throw err;
          }),
        );
      const points: Array<FailWhen | undefined> = [
        undefined,
        (sql) => sql.startsWith("INSERT OVERWRITE TABLE") && sql.includes("`items` ("),
        (sql) => sql.includes("INSERT INTO") && sql.includes("`_dlt_loads`"),
      ];
      for (const [i, point] of points.entries()) {
        const g = merge.generation(i + 1);
        const expected = await run(pr, g);
        failWhen = point;
        if (point) {
          await expect(run(pf, g)).rejects.toThrow(/simulated crash/);
          failWhen = undefined;
          expect(counts(await pf.load()), `generation ${i + 1}`).toEqual(expected);
        } else {
          expect(await run(pf, g)).toEqual(expected);
        }
        expect(await datasetSnapshot(pf), `generation ${i + 1}`).toEqual(await datasetSnapshot(pr));
      }
      expect(await pf.dataset().table("_dlt_rejected").count()).toBe(points.length);
    });
  },
);
