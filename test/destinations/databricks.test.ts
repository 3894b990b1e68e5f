import { afterAll, beforeAll, vi } from "vitest";
import { DatabricksConnection } from "../../src/destinations/databricks/index.js";
import { conformanceSuite } from "./conformance.js";
import { type SparkThriftServer, databricksOnSpark, sparkSkipReason, startSparkThrift } from "./spark-thrift.js";
import { DATABRICKS_NOT_BUILT, SPARK_ENGINE_GAPS } from "./databricks-gaps.js";

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

conformanceSuite({
  name: "databricks (Apache Spark Thrift server, Parquet tables)",
  skip,
  destination: () => databricksOnSpark(server!),
  nul: "kept",
  skipCases: { ...SPARK_ENGINE_GAPS, ...DATABRICKS_NOT_BUILT },
  async dropDataset(name) {
    if (!server) return;
    const conn = await DatabricksConnection.open({
      serverHostname: server.host,
      httpPath: server.httpPath,
      connectOptions: server.connectOptions,
    });
    try {
      for (const s of [name, `${name}_staging`]) await conn.execute(`DROP SCHEMA IF EXISTS \`${s}\` CASCADE`);
    } finally {
      await conn.close();
    }
  },
});
