import { join } from "node:path";
import snowflake from "snowflake-sdk";
import { FAKESNOW_DATABASE, FAKESNOW_SESSION_SETUP, fakesnowSkipReason, startFakesnow } from "../test/destinations/fakesnow.js";
import { fmt, time } from "./lib.js";
import { WARM_ROWS, type WarehouseLines, bareFile, pipelineLoad } from "./warehouse-rows.js";

/**
 * Snowflake on fakesnow (the tests' stand-in: fakesnow's HTTP server over DuckDB, test/destinations/
 * fakesnow.ts): the pipeline's load step (files rewritten and PUT to the stage, COPY INTO a VARIANT
 * table, the append as a cast INSERT in the load transaction, bookkeeping, `_dlt_loads` last) against
 * a bare load of the same rows as one JSONL file through `snowflake-sdk` in the same run: PUT, COPY
 * INTO a VARIANT table, one INSERT ... SELECT casting each column into the typed table. The cast
 * INSERT is there because fakesnow cannot COPY with a transformation from JSON (DEVELOPERS.md,
 * "fakesnow's gaps"), so both sides end in the same typed table the same way. `BENCH_WH_SNOWFLAKE_ROWS`
 * sizes it apart from `BENCH_WH_ROWS` (`rows`). Each side loads WARM_ROWS untimed first; the row counts
 * are checked.
 */
type Connection = ReturnType<typeof snowflake.createConnection>;

function run(conn: Connection, sqlText: string): Promise<Record<string, unknown>[]> {
  return new Promise((ok, fail) => {
    conn.execute({
      sqlText,
      complete: (err, _stmt, rows) => {
        if (err) fail(err);
        else ok((rows ?? []) as Record<string, unknown>[]);
      },
    });
  });
}

async function count(conn: Connection, table: string): Promise<number> {
  const [row] = await run(conn, `SELECT COUNT(*) AS N FROM ${table}`);
  return Number(row?.N);
}

/** The bare side into `schema`, each step timed: the SDK's PUT, COPY INTO the VARIANT table, the cast INSERT. */
async function bareLoad(conn: Connection, schema: string, file: string): Promise<{ put: number; copy: number; insert: number }> {
  await run(conn, `CREATE SCHEMA ${schema}`);
  await run(conn, `CREATE STAGE ${schema}.S`);
  await run(conn, `CREATE TABLE ${schema}.RAW (V VARIANT)`);
  await run(
    conn,
    `CREATE TABLE ${schema}.CUSTOMERS (ID NUMBER(19,0), NAME VARCHAR, EMAIL VARCHAR, AMOUNT NUMBER(38,9), QUANTITY NUMBER(19,0), ACTIVE BOOLEAN, CREATED_AT TIMESTAMP_TZ, _DLT_LOAD_ID VARCHAR NOT NULL, _DLT_ID VARCHAR NOT NULL)`,
  );
  const put = await time(() => run(conn, `PUT 'file://${file}' @${schema}.S/bare/ AUTO_COMPRESS = FALSE`));
  const copy = await time(() => run(conn, `COPY INTO ${schema}.RAW FROM @${schema}.S/bare/ FILE_FORMAT = (TYPE = 'JSON')`));
  const insert = await time(() =>
    run(
      conn,
      `INSERT INTO ${schema}.CUSTOMERS SELECT V:id::NUMBER(19,0), V:name::VARCHAR, V:email::VARCHAR, V:amount::NUMBER(38,9), V:quantity::NUMBER(19,0), V:active::BOOLEAN, V:created_at::TIMESTAMP_TZ, V:_dlt_load_id::VARCHAR, V:_dlt_id::VARCHAR FROM ${schema}.RAW`,
    ),
  );
  return { put: put.seconds, copy: copy.seconds, insert: insert.seconds };
}

export async function snowflakeBench(dir: string, rows: number): Promise<WarehouseLines> {
  const skip = fakesnowSkipReason();
  if (skip) return { lines: [`| Snowflake on fakesnow | not measured: ${skip} | | | |`] };
  const n = Number(process.env.BENCH_WH_SNOWFLAKE_ROWS ?? rows);
  const server = await startFakesnow();
  try {
    // The SDK logs to a file in the working directory and to the console unless told otherwise.
    snowflake.configure({ logLevel: "OFF", additionalLogToConsole: false });
    const conn = snowflake.createConnection({
      account: "fakesnow",
      username: "loader",
      password: "fakesnow-password",
      database: FAKESNOW_DATABASE,
      accessUrl: server.accessUrl,
    });
    await new Promise<void>((ok, fail) => {
      conn.connect((err) => {
        if (err) fail(err);
        else ok();
      });
    });
    try {
      for (const sql of FAKESNOW_SESSION_SETUP) await run(conn, sql);
      await pipelineLoad(join(dir, "sf-warm"), "bench_sf_warm", server.destination(), WARM_ROWS);
      await bareLoad(conn, "BENCH_SF_WARM_BARE", await bareFile(dir, WARM_ROWS));
      const ours = await pipelineLoad(join(dir, "sf"), "bench_sf", server.destination(), n);
      const bare = await bareLoad(conn, "BENCH_SF_BARE", await bareFile(dir, n));
      // A wrong count would be a product bug, not a slow run: say so instead of printing a ratio.
      const loaded = { ours: await count(conn, "BENCH_SF.CUSTOMERS"), bare: await count(conn, "BENCH_SF_BARE.CUSTOMERS") };
      if (loaded.ours !== n || loaded.bare !== n) {
        throw new Error(
          `Snowflake bench on fakesnow: loaded ${loaded.ours} rows through the pipeline and ${loaded.bare} bare, expected ${n}`,
        );
      }
      const total = bare.put + bare.copy + bare.insert;
      return {
        lines: [
          `| Snowflake on fakesnow: pipeline load step (files rewritten and PUT to the stage, COPY INTO a VARIANT table, cast INSERT in the load transaction, bookkeeping, \`_dlt_loads\` last) | ${fmt(n)} | ${fmt(ours, 2)} | ${fmt(n / ours)} | ${fmt(ours / total, 2)} |`,
          `| Snowflake on fakesnow: bare PUT (${fmt(bare.put, 1)} s) + COPY INTO a VARIANT table (${fmt(bare.copy, 1)} s) + cast INSERT (${fmt(bare.insert, 1)} s) of the same rows as one JSONL file (snowflake-sdk) | ${fmt(n)} | ${fmt(total, 2)} | ${fmt(n / total)} | 1.00 |`,
        ],
        note: `Snowflake: fakesnow is a Python HTTP server over DuckDB, so every statement is a round trip through Python and sqlglot's translation (the file upload too); the SQL runs on DuckDB, not Snowflake's engine.${n < rows ? ` Measured at ${fmt(n)} rows (BENCH_WH_SNOWFLAKE_ROWS).` : ""} What the pipeline adds over the bare PUT + COPY + INSERT: each load file is read and written again before its PUT (nulls dropped so they load as SQL NULL, naive timestamps at UTC wall time: stage.ts), the package's files are PUT one by one, and about 35 statements of DDL and bookkeeping run around the load.`,
      };
    } finally {
      await new Promise<void>((ok) => {
        conn.destroy(() => {
          ok();
        });
      });
    }
  } finally {
    await server.stop();
  }
}
