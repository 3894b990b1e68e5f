import { describe, expect, it } from "vitest";
import { EnvProvider } from "../../src/config/providers.js";
import { ConfigResolver } from "../../src/config/resolver.js";
import { resolveDestination } from "../../src/destinations/registry.js";
import {
  SNOWFLAKE_CAPABILITIES,
  parseSnowflakeUrl,
  quoteSnowflake,
  snowflake,
  snowflakeDialect,
} from "../../src/destinations/snowflake/index.js";
import { castFromRaw, insertFromRawSql } from "../../src/destinations/snowflake/stage.js";
import { TransactionGuard } from "../../src/destinations/snowflake/transaction-guard.js";
import { mergeSql } from "../../src/destinations/sql/dispositions.js";
import type { SqlConnection } from "../../src/destinations/sql/sql-connection.js";
import { Schema } from "../../src/schema/schema.js";
import type { Column, Table } from "../../src/schema/types.js";
import { ConfigError, PipelineError } from "../../src/util/errors.js";

const col = (name: string, dataType: Column["dataType"], extra: Partial<Column> = {}): Column => ({
  name,
  dataType,
  nullable: true,
  ...extra,
});

const env = (vars: Record<string, string>) => new ConfigResolver([new EnvProvider(vars)]);

describe("Snowflake credentials (dlt's names and shapes)", () => {
  it("reads snowflake://user:password@account/database?warehouse=...&role=... and shows it redacted", async () => {
    const c = parseSnowflakeUrl("snowflake://loader:p%40ss@xy12345.eu-west-1/ANALYTICS?warehouse=LOAD_WH&role=LOADER");
    expect(c).toMatchObject({
      username: "loader",
      host: "xy12345.eu-west-1",
      database: "ANALYTICS",
      warehouse: "LOAD_WH",
      role: "LOADER",
    });
    expect(String(c.password)).toBe("***");
    const d = await resolveDestination(
      "snowflake",
      env({ DESTINATION__SNOWFLAKE__CREDENTIALS: "snowflake://loader:s3cret-canary@xy12345/ANALYTICS?warehouse=LOAD_WH" }),
    );
    expect(d.location({ datasetName: "x", pipelineName: "p", workingDir: "/tmp" })).toBe(
      "snowflake://loader:***@xy12345/ANALYTICS?warehouse=LOAD_WH",
    );
    expect(JSON.stringify(d)).not.toContain("s3cret-canary");
  });

  it("takes the fields one by one from the environment, key-pair auth instead of a password", async () => {
    const d = await resolveDestination(
      "snowflake",
      env({
        DESTINATION__SNOWFLAKE__CREDENTIALS__DATABASE: "ANALYTICS",
        DESTINATION__SNOWFLAKE__CREDENTIALS__USERNAME: "loader",
        DESTINATION__SNOWFLAKE__CREDENTIALS__HOST: "myorg-myaccount",
        DESTINATION__SNOWFLAKE__CREDENTIALS__WAREHOUSE: "LOAD_WH",
        DESTINATION__SNOWFLAKE__CREDENTIALS__ROLE: "LOADER",
        DESTINATION__SNOWFLAKE__CREDENTIALS__PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nkey-canary\n-----END PRIVATE KEY-----",
      }),
    );
    expect(d.location({ datasetName: "x", pipelineName: "p", workingDir: "/tmp" })).toBe(
      "snowflake://loader:***@myorg-myaccount/ANALYTICS?warehouse=LOAD_WH&role=LOADER",
    );
  });

  it("names every missing field in one error (exit 2), and refuses another scheme", () => {
    const missing = (() => {
      try {
        snowflake({ credentials: { username: "u" } });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing!.message).toBe("the snowflake credentials lack host, database, password (or private_key)");
    expect(missing!.describe()).toContain("DESTINATION__SNOWFLAKE__CREDENTIALS");
    expect(() => snowflake({ credentials: "postgresql://u:p@h/db" })).toThrow(/starts with postgresql:\/\/, not snowflake:\/\//);
  });
});

describe("Snowflake SQL (generated)", () => {
  const d = snowflakeDialect('"DS"."_DLT_STAGE"');

  it("upper-cases and quotes identifiers (dlt's snowflake naming), 255-character names", () => {
    expect(quoteSnowflake("invoice_lines")).toBe('"INVOICE_LINES"');
    expect(quoteSnowflake('we"ird')).toBe('"WE""IRD"');
    expect(SNOWFLAKE_CAPABILITIES.maxIdentifierLength).toBe(255);
  });

  it("uses dlt's Snowflake types: NUMBER(38,9) money, TIMESTAMP_TZ (NTZ when naive), VARIANT, BINARY", () => {
    expect(d.columnType(col("m", "decimal"))).toBe("NUMBER(38,9)");
    expect(d.columnType(col("m", "decimal", { precision: 10, scale: 2 }))).toBe("NUMBER(10,2)");
    expect(d.columnType(col("n", "bigint"))).toBe("NUMBER(19,0)");
    expect(d.columnType(col("t", "timestamp"))).toBe("TIMESTAMP_TZ");
    expect(d.columnType(col("t", "timestamp", { timezone: false }))).toBe("TIMESTAMP_NTZ");
    expect(d.columnType(col("j", "json"))).toBe("VARIANT");
    expect(d.columnType(col("b", "binary"))).toBe("BINARY");
    expect(d.columnType(col("d", "date"))).toBe("DATE");
    expect(d.literal("it's a \\ path")).toBe("'it''s a \\\\ path'");
  });

  it("reads each column from the staged VARIANT row with a cast, binary from base64", () => {
    const table: Table = {
      name: "inv",
      columns: { id: col("id", "bigint"), total: col("total", "decimal"), meta: col("meta", "json"), bin: col("bin", "binary") },
    } as unknown as Table;
    expect(castFromRaw(col("total", "decimal"))).toBe('"V":"total"::NUMBER(38,9)');
    expect(insertFromRawSql('"DS"."INV"', table, '"_DLT_RAW_1"')).toBe(
      'INSERT INTO "DS"."INV" ("ID", "TOTAL", "META", "BIN") SELECT "V":"id"::NUMBER(19,0), "V":"total"::NUMBER(38,9), "V":"meta", BASE64_DECODE_BINARY("V":"bin"::VARCHAR) FROM "_DLT_RAW_1"',
    );
  });

  it("merge runs DML only (no temporary key table) because DDL commits a Snowflake transaction", () => {
    const schema = new Schema("s");
    const root = {
      name: "inv",
      columns: { id: col("id", "bigint", { primaryKey: true }), _dlt_id: col("_dlt_id", "text") },
    } as unknown as Table;
    const sql = mergeSql({
      dialect: d,
      schema,
      root,
      children: [],
      qualified: (t) => `"DS".${quoteSnowflake(t)}`,
      sources: new Map([["inv", "(SELECT 1)"]]),
      temp: "_dlt_tmp_0",
    });
    expect(sql.filter((s) => /^\s*(CREATE|DROP|ALTER)\b/i.test(s))).toEqual([]);
    expect(sql[0]).toMatch(
      /^DELETE FROM "DS"\."INV" AS d WHERE EXISTS \(SELECT 1 FROM \(SELECT src\."ID", src\."_DLT_ID" FROM \(SELECT 1\) AS src\) AS s/,
    );
  });
});

describe("the Snowflake load transaction guard", () => {
  const sent: string[] = [];
  const conn: SqlConnection = {
    execute: (sql) => {
      sent.push(sql);
      return Promise.resolve();
    },
    query: (sql) => {
      sent.push(sql);
      return Promise.resolve([]);
    },
    close: () => Promise.resolve(),
  };

  it("passes DML, defers the drop of a temporary table made before BEGIN, refuses any other statement that would commit", async () => {
    const g = new TransactionGuard(conn, new Set(['"_DLT_IDS_AB"']));
    await g.execute('INSERT INTO "DS"."T" ("ID") SELECT 1');
    await g.execute('DELETE FROM "DS"."T" WHERE TRUE');
    await g.execute('DROP TABLE "_DLT_IDS_AB"');
    expect(sent).toEqual(['INSERT INTO "DS"."T" ("ID") SELECT 1', 'DELETE FROM "DS"."T" WHERE TRUE']);
    expect(g.deferred).toEqual(['DROP TABLE "_DLT_IDS_AB"']);
    for (const sql of [
      "CREATE TEMP TABLE x AS SELECT 1",
      'DROP TABLE "DS"."T"',
      "ALTER TABLE t ADD COLUMN c INT",
      "PUT 'file:///x' @s",
      "COMMIT",
      "truncate table t",
    ]) {
      await expect(g.execute(sql), sql).rejects.toBeInstanceOf(PipelineError);
    }
    expect(sent).toHaveLength(2);
  });
});
