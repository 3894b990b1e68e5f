import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigResolver, EnvProvider } from "../../src/config/index.js";
import { DatabricksConnection } from "../../src/destinations/databricks/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { sageAccountingSource } from "../../src/sage/index.js";
import { type SparkThriftServer, databricksOnSpark, sparkSkipReason, startSparkThrift } from "../destinations/spark-thrift.js";
import { expectExactlyTheApi, expectTheMutation, sandboxAuth } from "./sage-expectations.js";

/**
 * The Sage sandbox (two businesses, every default resource) into Databricks' stand-in, Apache
 * Spark's Thrift server through the official driver, then a mutation and an incremental run:
 * counts, decimals, dates and child tables exact, as the other warehouses' e2e checks them
 * (sage-warehouses.test.ts). Every statement is a Spark job of about a second here and these loads
 * run hundreds, so this file runs in the long form only (`SAGE_E2E=long`), not in `npm test`; the
 * conformance suite and the commit crash points run on Spark in `npm test`.
 */
const E2E_TIMEOUT_MS = 1_200_000;
const skip =
  process.env.SAGE_E2E !== "long"
    ? "runs with SAGE_E2E=long only (hundreds of Spark jobs, several minutes on 2 cores)"
    : sparkSkipReason();

describe.skipIf(skip !== undefined)(`Sage sandbox → Databricks (Spark Thrift server)${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let sb: Sandbox;
  let dir: string;
  let server: SparkThriftServer;
  const datasetName = `sage_dbx_${Math.random().toString(36).slice(2, 8)}`;
  let pipe: Pipeline;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 2, scale: 0.1, seed: 7 });
    server = await startSparkThrift();
    dir = mkdtempSync(join(tmpdir(), "sp-databricks-e2e-"));
    pipe = new Pipeline({
      pipelineName: "sage_databricks",
      datasetName,
      destination: databricksOnSpark(server),
      pipelinesDir: join(dir, "pipelines"),
      config: new ConfigResolver([new EnvProvider({})]),
    });
  }, 300_000);
  afterAll(async () => {
    const conn = await DatabricksConnection.open({
      serverHostname: server.host,
      httpPath: server.httpPath,
      connectOptions: server.connectOptions,
    });
    try {
      for (const s of [datasetName, `${datasetName}_staging`]) await conn.execute(`DROP SCHEMA IF EXISTS \`${s}\` CASCADE`);
    } finally {
      await conn.close();
    }
    await sb.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
  const source = () => sageAccountingSource({ ...sandboxAuth(sb), tokenStore: join(dir, "tokens.json") }, new ConfigResolver([]));

  it(
    "loads every default resource of both businesses exactly, with Databricks' types",
    async () => {
      await pipe.run(source());
      await expectExactlyTheApi(sb, pipe.dataset());
      // Spark's typeof: the query session runs single SELECTs only (no DESCRIBE).
      const types = await pipe
        .dataset()
        .sql(
          "select typeof(total_amount) as total, typeof(date) as date, typeof(updated_at) as updated, typeof(business_id) as business from sales_invoices limit 1",
        )
        .rows();
      expect(types).toEqual([{ total: "decimal(38,9)", date: "date", updated: "timestamp", business: "string" }]);
    },
    E2E_TIMEOUT_MS,
  );

  it(
    "a mutation and an incremental run: updates, creations and deletions land exactly",
    async () => {
      const b0 = sb.store.businesses[0]!.id;
      const before = sb.store.count(b0, "sales_invoices");
      const change = sb.mutate({ business: b0, resource: "sales_invoices", updates: 5, creates: 3, deletes: 2 });
      await pipe.run(source());
      await expectTheMutation(sb, pipe.dataset(), before, change);
    },
    E2E_TIMEOUT_MS,
  );
});
