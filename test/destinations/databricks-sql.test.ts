import { describe, expect, it } from "vitest";
import { EnvProvider } from "../../src/config/providers.js";
import { ConfigResolver } from "../../src/config/resolver.js";
import {
  DATABRICKS_SPEC,
  chainStatements,
  copyIntoSql,
  databricks,
  dbxColumnType,
  dbxLiteral,
  dbxQuote,
  fileSelectList,
} from "../../src/destinations/databricks/index.js";
import { ansiIdentifiersToBigQuery } from "../../src/destinations/bigquery/ansi-sql.js";
import { typedSelect } from "../../src/destinations/databricks/values.js";
import { ansiIdentifiersTo } from "../../src/destinations/sql/index.js";
import { destinationSpecs, resolveDestination } from "../../src/destinations/registry.js";
import type { Column, Table } from "../../src/schema/types.js";
import { ConfigError, PipelineError } from "../../src/util/errors.js";
import { Secret } from "../../src/config/secret.js";

// The generated SQL as text, and the config. Text is not a real engine: what runs is proved in
// databricks.test.ts on Spark's Thrift server, and what only Databricks runs (PUT, COPY INTO,
// DELETE/MERGE on Delta) is listed in README and DEVELOPERS as not tested here.

const col = (name: string, dataType: Column["dataType"], extra: Partial<Column> = {}): Column => ({
  name,
  dataType,
  nullable: true,
  ...extra,
});
const table = (name: string, cols: Column[], parent?: string): Table => ({
  name,
  writeDisposition: "append",
  columns: Object.fromEntries(cols.map((c) => [c.name, c])),
  ...(parent ? { parent } : {}),
});
const connect = { datasetName: "ds", pipelineName: "p", workingDir: "/tmp" };

describe("databricks config", () => {
  it("takes dlt's credential names from the environment and never shows the token", async () => {
    const env = {
      DESTINATION__DATABRICKS__CREDENTIALS__SERVER_HOSTNAME: "https://dbc-1234.cloud.databricks.com/",
      DESTINATION__DATABRICKS__CREDENTIALS__HTTP_PATH: "/sql/1.0/warehouses/abc",
      DESTINATION__DATABRICKS__CREDENTIALS__ACCESS_TOKEN: "dapi-secret-canary",
      DESTINATION__DATABRICKS__CREDENTIALS__CATALOG: "main",
    };
    const d = await resolveDestination("databricks", new ConfigResolver([new EnvProvider(env)]));
    expect(d.name).toBe("databricks");
    expect(d.capabilities.maxIdentifierLength).toBe(255);
    expect(d.location(connect)).toBe("databricks://dbc-1234.cloud.databricks.com/sql/1.0/warehouses/abc/main.ds");
    expect(JSON.stringify(d)).not.toContain("dapi-secret-canary");
    expect(destinationSpecs()).toContain(DATABRICKS_SPEC);
  });

  it("names the missing keys and where to find them", () => {
    const err = (() => {
      try {
        databricks({ credentials: { server_hostname: "h" } });
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toBe("the databricks credentials need http_path");
    expect(err!.hint).toContain("DESTINATION__DATABRICKS__CREDENTIALS__HTTP_PATH");
    expect(() => databricks({ credentials: { server_hostname: "h", http_path: "p" }, stagingVolumeName: "vol" })).toThrow(
      /staging_volume_name "vol" is not catalog\.schema\.volume/,
    );
  });

  it("a session that cannot open names the warehouse and the keys to check, never the token", async () => {
    const d = databricks({
      credentials: {
        server_hostname: "127.0.0.1",
        port: 1,
        http_path: "/sql/1.0/warehouses/x",
        access_token: new Secret("dapi-canary-123"),
      },
    });
    const err = (await d.connect(connect).catch((e: unknown) => e)) as PipelineError;
    expect(err).toBeInstanceOf(PipelineError);
    expect(err.message).toMatch(/^cannot open a Databricks session at 127\.0\.0\.1\/sql\/1\.0\/warehouses\/x: .*ECONNREFUSED/);
    expect(err.hint).toContain("server_hostname, http_path and access_token");
    expect(`${err.describe()} ${JSON.stringify(err)}`).not.toContain("dapi-canary-123");
  });

  it("refuses a staging bucket COPY INTO cannot read", async () => {
    const env = {
      DESTINATION__DATABRICKS__CREDENTIALS__SERVER_HOSTNAME: "h",
      DESTINATION__DATABRICKS__CREDENTIALS__HTTP_PATH: "p",
      DESTINATION__FILESYSTEM__BUCKET_URL: "az://container/prefix",
    };
    await expect(
      resolveDestination("databricks", new ConfigResolver([new EnvProvider(env)]), { staging: "filesystem" }),
    ).rejects.toThrow(/databricks reads staged files only from s3:\/\/bucket\/prefix or gs:\/\/bucket\/prefix/);
  });
});

describe("databricks dialect", () => {
  it("types columns as Delta does", () => {
    expect(dbxColumnType(col("a", "decimal"))).toBe("DECIMAL(38,9)");
    expect(dbxColumnType(col("a", "decimal", { precision: 10, scale: 2 }))).toBe("DECIMAL(10,2)");
    expect(dbxColumnType(col("a", "timestamp"))).toBe("TIMESTAMP");
    expect(dbxColumnType(col("a", "timestamp", { timezone: false }))).toBe("TIMESTAMP_NTZ");
    expect(dbxColumnType(col("a", "json"))).toBe("VARIANT");
    expect(dbxColumnType(col("a", "binary"))).toBe("BINARY");
    expect(dbxColumnType(col("a", "date"))).toBe("DATE");
  });

  it("quotes names with backticks and escapes literals the way Spark reads them", () => {
    expect(dbxQuote("we`ird")).toBe("`we``ird`");
    expect(dbxLiteral("it's a\\b\nc\u0000")).toBe("'it\\'s a\\\\b\\nc\\u0000'");
  });

  it("reads a load file's line with from_json into STRING fields and casts each", () => {
    const t = table("t", [
      col("amount", "decimal"),
      col("meta", "json"),
      col("bin", "binary"),
      col("n", "timestamp", { timezone: false }),
    ]);
    const schema = "'`amount` STRING, `meta` VARIANT, `bin` STRING, `n` STRING'";
    expect(fileSelectList(t)).toBe(
      [
        `CAST(from_json(value, ${schema}).\`amount\` AS DECIMAL(38,9)) AS \`amount\``,
        `from_json(value, ${schema}).\`meta\` AS \`meta\``,
        `unbase64(from_json(value, ${schema}).\`bin\`) AS \`bin\``,
        `CAST(CAST(from_json(value, ${schema}).\`n\` AS TIMESTAMP) AS TIMESTAMP_NTZ) AS \`n\``,
      ].join(", "),
    );
    const sql = copyIntoSql("`ds_staging`.`t__1`", t, "/Volumes/main/ds/_dlt_staging_load_volume/ds/1", ["t.0.jsonl.gz"]);
    expect(sql).toMatch(
      /^COPY INTO `ds_staging`.`t__1` FROM \(SELECT .* FROM '\/Volumes\/main\/ds\/_dlt_staging_load_volume\/ds\/1'\) /,
    );
    expect(sql).toMatch(/ FILEFORMAT = TEXT FILES = \('t\.0\.jsonl\.gz'\) COPY_OPTIONS \('force' = 'true'\)$/);
  });
});

describe("databricks commit statements (text; run on Spark in databricks.test.ts)", () => {
  const root = table("inv", [col("id", "bigint", { primaryKey: true }), col("_dlt_id", "text", { system: true })]);
  const kids = table(
    "inv__lines",
    [col("n", "bigint"), col("_dlt_root_id", "text", { system: true }), col("_dlt_id", "text", { system: true })],
    "inv",
  );
  const base = {
    root,
    children: [kids],
    target: (t: string) => `\`ds\`.\`${t}\``,
    staged: new Map([
      ["inv", "`st`.`inv__1`"],
      ["inv__lines", "`st`.`inv__lines__1`"],
    ]),
  };

  it("append inserts only the rows whose _dlt_id is absent, per table", () => {
    const sql = chainStatements({ ...base, disposition: "append" });
    expect(sql).toEqual([
      "INSERT INTO `ds`.`inv` (`id`, `_dlt_id`) SELECT _dlt_staged.`id`, _dlt_staged.`_dlt_id` FROM `st`.`inv__1` AS _dlt_staged WHERE NOT EXISTS (SELECT 1 FROM `ds`.`inv` AS _dlt_target WHERE _dlt_target.`_dlt_id` = _dlt_staged.`_dlt_id`)",
      "INSERT INTO `ds`.`inv__lines` (`n`, `_dlt_root_id`, `_dlt_id`) SELECT _dlt_staged.`n`, _dlt_staged.`_dlt_root_id`, _dlt_staged.`_dlt_id` FROM `st`.`inv__lines__1` AS _dlt_staged WHERE NOT EXISTS (SELECT 1 FROM `ds`.`inv__lines` AS _dlt_target WHERE _dlt_target.`_dlt_id` = _dlt_staged.`_dlt_id`)",
    ]);
  });

  it("replace overwrites each table in one statement, or truncates a table the package has no rows for", () => {
    const sql = chainStatements({ ...base, disposition: "replace", staged: new Map([["inv", "`st`.`inv__1`"]]) });
    expect(sql).toEqual([
      "INSERT OVERWRITE TABLE `ds`.`inv` (`id`, `_dlt_id`) SELECT `id`, `_dlt_id` FROM `st`.`inv__1`",
      "TRUNCATE TABLE `ds`.`inv__lines`",
    ]);
  });

  it("merge deletes children of matched roots, then the roots, then inserts roots and children", () => {
    const sql = chainStatements({ ...base, disposition: "merge" });
    const matched = "EXISTS (SELECT 1 FROM `st`.`inv__1` AS _dlt_staged WHERE _dlt_staged.`id` = _dlt_target.`id`)";
    expect(sql).toEqual([
      `DELETE FROM \`ds\`.\`inv__lines\` WHERE \`_dlt_root_id\` IN (SELECT _dlt_target.\`_dlt_id\` FROM \`ds\`.\`inv\` AS _dlt_target WHERE ${matched})`,
      `DELETE FROM \`ds\`.\`inv\` AS _dlt_target WHERE ${matched}`,
      "INSERT INTO `ds`.`inv` (`id`, `_dlt_id`) SELECT _dlt_staged.`id`, _dlt_staged.`_dlt_id` FROM `st`.`inv__1` AS _dlt_staged",
      "INSERT INTO `ds`.`inv__lines` (`n`, `_dlt_root_id`, `_dlt_id`) SELECT _dlt_staged.`n`, _dlt_staged.`_dlt_root_id`, _dlt_staged.`_dlt_id` FROM `st`.`inv__lines__1` AS _dlt_staged",
    ]);
  });
});

describe("databricks result values", () => {
  it("reads every column as text the driver cannot round and types it back", () => {
    const plan = typedSelect("SELECT * FROM t", [
      { name: "d", type: "decimal(38,9)" },
      { name: "b", type: "bigint" },
      { name: "f", type: "double" },
      { name: "ts", type: "timestamp" },
      { name: "v", type: "variant" },
      { name: "bin", type: "binary" },
      { name: "s", type: "string" },
    ]);
    expect(plan.sql).toBe(
      "SELECT CAST(_dlt_q.`d` AS STRING) AS `d`, CAST(_dlt_q.`b` AS STRING) AS `b`, CAST(_dlt_q.`f` AS STRING) AS `f`, date_format(_dlt_q.`ts`, 'yyyy-MM-dd\\'T\\'HH:mm:ss.SSSSSS') AS `ts`, to_json(_dlt_q.`v`) AS `v`, base64(_dlt_q.`bin`) AS `bin`, _dlt_q.`s` AS `s` FROM (SELECT * FROM t) AS _dlt_q",
    );
    const row = plan.decode({
      d: "-0.000000001",
      b: "9007199254740993",
      f: "NaN",
      ts: "2024-06-30T23:59:59.123456",
      v: '{"a":[1,"x",null]}',
      bin: "AAEC/w==",
      s: null,
    });
    expect(row).toMatchObject({
      d: "-0.000000001",
      b: 9007199254740993n,
      ts: new Date("2024-06-30T23:59:59.123Z"),
      v: { a: [1, "x", null] },
      s: null,
    });
    expect(Number.isNaN(row.f)).toBe(true);
    expect(Buffer.from(row.bin as Uint8Array)).toEqual(Buffer.from([0, 1, 2, 255]));
  });
});

describe("the ANSI-identifier rewrite shared with BigQuery", () => {
  it("re-quotes double-quoted names and leaves literals, backtick names and comments alone", () => {
    const sql = `SELECT "a""b", "sel\`ect" FROM "t" WHERE x = '"no"' AND \`y\` = 1 -- "c"`;
    expect(ansiIdentifiersTo(sql, dbxQuote)).toBe('SELECT `a"b`, `sel``ect` FROM `t` WHERE x = \'"no"\' AND `y` = 1 -- "c"');
    expect(ansiIdentifiersToBigQuery(sql)).toBe('SELECT `a"b`, `sel\\`ect` FROM `t` WHERE x = \'"no"\' AND `y` = 1 -- "c"');
  });
});
