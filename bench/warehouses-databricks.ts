import { join } from "node:path";
import { DatabricksConnection } from "../src/destinations/databricks/index.js";
import type { Destination } from "../src/destinations/destination.js";
import { databricksOnSpark, sparkSkipReason, startSparkThrift } from "../test/destinations/spark-thrift.js";
import { fmt, time } from "./lib.js";

/** What warehouses.bench.ts lends: its pipeline load of the flat rows, and the same rows as one JSONL file. */
export interface WarehouseBench {
  pipelineLoad(dir: string, dataset: string, destination: Destination, rows: number): Promise<number>;
  bareFile(dir: string, rows: number): Promise<string>;
}

/**
 * Databricks on Apache Spark's Thrift server (the tests' stand-in, Parquet tables): the pipeline's
 * load step (staging tables filled from the package's files, the append, bookkeeping, `_dlt_loads`
 * last) against one `INSERT INTO ... SELECT FROM json.\`file\`` of the same rows as one JSONL file,
 * sent through the official driver in the same run. `BENCH_WH_SPARK_ROWS` sizes it apart from
 * `BENCH_WH_ROWS` (`rows`).
 */
export async function databricksBench(dir: string, rows: number, wh: WarehouseBench): Promise<string[]> {
  const skip = sparkSkipReason();
  if (skip) return [`| Databricks on Spark | not measured: ${skip} | | | |`];
  const n = Number(process.env.BENCH_WH_SPARK_ROWS ?? rows);
  const server = await startSparkThrift();
  try {
    const ours = await wh.pipelineLoad(join(dir, "dbx"), "bench_dbx", databricksOnSpark(server), n);
    const file = await wh.bareFile(dir, n);
    const conn = await DatabricksConnection.open({
      serverHostname: server.host,
      httpPath: server.httpPath,
      connectOptions: server.connectOptions,
    });
    try {
      await conn.execute("CREATE SCHEMA IF NOT EXISTS bench_dbx_bare");
      await conn.execute(
        "CREATE TABLE bench_dbx_bare.customers (id BIGINT, name STRING, email STRING, amount DECIMAL(38,9), quantity BIGINT, active BOOLEAN, created_at TIMESTAMP, _dlt_load_id STRING NOT NULL, _dlt_id STRING NOT NULL)",
      );
      const bare = (
        await time(() =>
          conn.execute(
            `INSERT INTO bench_dbx_bare.customers SELECT CAST(id AS BIGINT), name, email, CAST(amount AS DECIMAL(38,9)), CAST(quantity AS BIGINT), active, CAST(created_at AS TIMESTAMP), _dlt_load_id, _dlt_id FROM json.\`${file}\``,
          ),
        )
      ).seconds;
      return [
        `| Databricks on Spark (Thrift server, Parquet): pipeline load step (staging tables from the files, append, bookkeeping, \`_dlt_loads\` last) | ${fmt(n)} | ${fmt(ours, 2)} | ${fmt(n / ours)} | ${fmt(ours / bare, 2)} |`,
        `| Databricks on Spark: bare \`INSERT INTO ... SELECT FROM json.\\\`file\\\`\` of the same rows as one JSONL file (@databricks/sql) | ${fmt(n)} | ${fmt(bare, 2)} | ${fmt(n / bare)} | 1.00 |`,
      ];
    } finally {
      await conn.execute("DROP SCHEMA IF EXISTS bench_dbx_bare CASCADE").catch(() => undefined);
      await conn.close();
    }
  } finally {
    await server.stop();
  }
}
