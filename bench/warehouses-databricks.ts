import { join } from "node:path";
import { DatabricksConnection } from "../src/destinations/databricks/index.js";
import { databricksOnSpark, sparkSkipReason, startSparkThrift } from "../test/destinations/spark-thrift.js";
import { fmt, time } from "./lib.js";
import { WARM_ROWS, type WarehouseLines, bareFile, pipelineLoad } from "./warehouse-rows.js";

/** The bare side: the typed table made, then the one INSERT of the file timed. */
async function bareLoad(conn: DatabricksConnection, schema: string, file: string): Promise<number> {
  await conn.execute(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await conn.execute(
    `CREATE TABLE ${schema}.customers (id BIGINT, name STRING, email STRING, amount DECIMAL(38,9), quantity BIGINT, active BOOLEAN, created_at TIMESTAMP, _dlt_load_id STRING NOT NULL, _dlt_id STRING NOT NULL)`,
  );
  return (
    await time(() =>
      conn.execute(
        `INSERT INTO ${schema}.customers SELECT CAST(id AS BIGINT), name, email, CAST(amount AS DECIMAL(38,9)), CAST(quantity AS BIGINT), active, CAST(created_at AS TIMESTAMP), _dlt_load_id, _dlt_id FROM json.\`${file}\``,
      ),
    )
  ).seconds;
}

async function count(conn: DatabricksConnection, table: string): Promise<number> {
  const { rows } = await conn.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0]?.n);
}

/**
 * Databricks on Apache Spark's Thrift server (the tests' stand-in, Parquet tables): the pipeline's
 * load step (staging tables filled from the package's files, the append, bookkeeping, `_dlt_loads`
 * last) against one `INSERT INTO ... SELECT FROM json.\`file\`` of the same rows as one JSONL file,
 * sent through the official driver in the same run. `BENCH_WH_SPARK_ROWS` sizes it apart from
 * `BENCH_WH_ROWS` (`rows`). Each side loads WARM_ROWS untimed first; the row counts are checked.
 */
export async function databricksBench(dir: string, rows: number): Promise<WarehouseLines> {
  const skip = sparkSkipReason();
  if (skip) return { lines: [`| Databricks on Spark | not measured: ${skip} | | | |`] };
  const n = Number(process.env.BENCH_WH_SPARK_ROWS ?? rows);
  const server = await startSparkThrift();
  try {
    const destination = databricksOnSpark(server);
    const conn = await DatabricksConnection.open({
      serverHostname: server.host,
      httpPath: server.httpPath,
      connectOptions: server.connectOptions,
    });
    try {
      await pipelineLoad(join(dir, "dbx-warm"), "bench_dbx_warm", destination, WARM_ROWS);
      await bareLoad(conn, "bench_dbx_warm_bare", await bareFile(dir, WARM_ROWS));
      const ours = await pipelineLoad(join(dir, "dbx"), "bench_dbx", destination, n);
      const bare = await bareLoad(conn, "bench_dbx_bare", await bareFile(dir, n));
      const loaded = { ours: await count(conn, "bench_dbx.customers"), bare: await count(conn, "bench_dbx_bare.customers") };
      if (loaded.ours !== n || loaded.bare !== n) {
        throw new Error(
          `Databricks bench on Spark: loaded ${loaded.ours} rows through the pipeline and ${loaded.bare} bare, expected ${n}`,
        );
      }
      return {
        lines: [
          `| Databricks on Spark (Thrift server, Parquet): pipeline load step (staging tables from the files, append, bookkeeping, \`_dlt_loads\` last) | ${fmt(n)} | ${fmt(ours, 2)} | ${fmt(n / ours)} | ${fmt(ours / bare, 2)} |`,
          `| Databricks on Spark: bare \`INSERT INTO ... SELECT FROM json.\\\`file\\\`\` of the same rows as one JSONL file (@databricks/sql) | ${fmt(n)} | ${fmt(bare, 2)} | ${fmt(n / bare)} | 1.00 |`,
        ],
        note: `Databricks: Apache Spark's Thrift server (local[2], Parquet tables, no Delta) stands in for a SQL warehouse, and every statement is a Spark job (a fraction of a second to seconds each on this machine), so the pipeline's ~20 statements of DDL and bookkeeping weigh on small loads.${n < rows ? ` Measured at ${fmt(n)} rows (BENCH_WH_SPARK_ROWS).` : ""} The pipeline reads the rows twice (each load file into a staging table through the select list COPY INTO uses, \`from_json\` per column; then the append from staging) where the bare load reads the file once with Spark's JSON reader.`,
      };
    } finally {
      await conn.close();
    }
  } finally {
    await server.stop();
  }
}
