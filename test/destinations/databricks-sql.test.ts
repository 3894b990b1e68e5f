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
import { reconcileKeySet } from "../../src/destinations/databricks/reconcile-sql.js";
import { type RowChange, dmlSql, rebuildSql, runsDml, tableFacts } from "../../src/destinations/databricks/row-changes.js";
import type { ReconcileJob, ResultRow } from "../../src/destinations/destination.js";
import type { Schema } from "../../src/schema/schema.js";
import { ansiIdentifiersTo } from "../../src/destinations/sql/index.js";
import { destinationSpecs, resolveDestination } from "../../src/destinations/registry.js";
import type { Column, Table } from "../../src/schema/types.js";
import { ConfigError, PipelineError } from "../../src/util/errors.js";
import { Secret } from "../../src/config/secret.js";
import { type BucketAccess, credentialClause, databricksReadUri } from "../../src/destinations/databricks/bucket-access.js";
import { scrub } from "../../src/util/redact.js";

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
      DESTINATION__FILESYSTEM__BUCKET_URL: "ftp://host/prefix",
    };
    await expect(
      resolveDestination("databricks", new ConfigResolver([new EnvProvider(env)]), { staging: "filesystem" }),
    ).rejects.toThrow(
      /databricks reads staged files only from s3:\/\/bucket\/prefix or gs:\/\/bucket\/prefix or az:\/\/bucket\/prefix/,
    );
  });

  it("reads an Azure staging bucket through abfss:// with its SAS token, scrubbed from errors", () => {
    expect(databricksReadUri("https://acct1.blob.core.windows.net/landing/ds/_staging/1.2/t.0.jsonl.gz")).toBe(
      "abfss://landing@acct1.dfs.core.windows.net/ds/_staging/1.2/t.0.jsonl.gz",
    );
    expect(databricksReadUri("https://acct1.blob.core.chinacloudapi.cn/c/k")).toBe("abfss://c@acct1.dfs.core.chinacloudapi.cn/k");
    expect(databricksReadUri("s3://bucket/k")).toBe("s3://bucket/k");
    expect(databricksReadUri("gs://bucket/k")).toBe("gs://bucket/k");
    // An emulator's path-style endpoint has no abfss:// name: a config error, not a COPY that fails later.
    expect(() => databricksReadUri("http://127.0.0.1:10000/devstoreaccount1/c/k")).toThrow(
      /Databricks reads Azure staging files through abfss:.*http:\/\/127\.0\.0\.1:10000 has no such name/,
    );
    const canary = "sv=2024-01-01&sig=canary-sas-77";
    const clause = credentialClause({ azureSasToken: Secret.from(`?${canary}`) });
    expect(clause).toBe(` WITH (CREDENTIAL (AZURE_SAS_TOKEN = '${canary}'))`);
    expect(scrub(`COPY INTO t FROM 'abfss://c@a.dfs.core.windows.net/x'${clause}`)).not.toContain("canary-sas-77");
    // A named storage credential wins over keys, as dlt's staging_credentials_name does.
    expect(credentialClause({ credentialsName: "cred", azureSasToken: canary })).toBe(" WITH (CREDENTIAL `cred`)");
  });

  it("takes az:// staging with [destination.filesystem.credentials] azure_storage_sas_token", async () => {
    const env = {
      DESTINATION__DATABRICKS__CREDENTIALS__SERVER_HOSTNAME: "h",
      DESTINATION__DATABRICKS__CREDENTIALS__HTTP_PATH: "p",
      DESTINATION__FILESYSTEM__BUCKET_URL: "az://landing/prefix",
      DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_STORAGE_ACCOUNT_NAME: "acct1",
      DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_STORAGE_SAS_TOKEN: "sv=1&sig=x",
    };
    const d = (await resolveDestination("databricks", new ConfigResolver([new EnvProvider(env)]), {
      staging: "filesystem",
    })) as unknown as {
      options: { staging?: BucketAccess };
    };
    expect(credentialClause(d.options.staging!)).toBe(" WITH (CREDENTIAL (AZURE_SAS_TOKEN = 'sv=1&sig=x'))");
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

  it("merge deletes children of matched roots, then the roots (row changes), then inserts roots and children", () => {
    const steps = chainStatements({ ...base, disposition: "merge" });
    const matched = "EXISTS (SELECT 1 FROM `st`.`inv__1` AS _dlt_staged WHERE _dlt_staged.`id` = _dlt_target.`id`)";
    expect(steps).toEqual([
      {
        kind: "deleteLinked",
        table: "`ds`.`inv__lines`",
        column: "_dlt_root_id",
        ids: `SELECT _dlt_target.\`_dlt_id\` AS id FROM \`ds\`.\`inv\` AS _dlt_target WHERE ${matched}`,
      },
      { kind: "delete", table: "`ds`.`inv`", alias: "_dlt_target", where: matched },
      "INSERT INTO `ds`.`inv` (`id`, `_dlt_id`) SELECT _dlt_staged.`id`, _dlt_staged.`_dlt_id` FROM `st`.`inv__1` AS _dlt_staged",
      "INSERT INTO `ds`.`inv__lines` (`n`, `_dlt_root_id`, `_dlt_id`) SELECT _dlt_staged.`n`, _dlt_staged.`_dlt_root_id`, _dlt_staged.`_dlt_id` FROM `st`.`inv__lines__1` AS _dlt_staged",
    ]);
    // On Delta (real Databricks) the child delete is a MERGE: DELETE takes no subquery inside a subquery.
    expect(steps.map((s) => (typeof s === "string" ? s : dmlSql(s))).slice(0, 2)).toEqual([
      `MERGE INTO \`ds\`.\`inv__lines\` AS _dlt_target USING (SELECT _dlt_target.\`_dlt_id\` AS id FROM \`ds\`.\`inv\` AS _dlt_target WHERE ${matched}) AS _dlt_gone ON _dlt_target.\`_dlt_root_id\` = _dlt_gone.id WHEN MATCHED THEN DELETE`,
      `DELETE FROM \`ds\`.\`inv\` AS _dlt_target WHERE ${matched}`,
    ]);
  });
});

describe("databricks row changes: DML on Delta, a rebuild elsewhere", () => {
  const describeRows = (provider: string) => [
    { col_name: "id", data_type: "bigint", comment: null },
    { col_name: "Provider", data_type: "string", comment: null },
    { col_name: "deleted_at", data_type: "timestamp", comment: null },
    { col_name: "# Clustering Information", data_type: "", comment: "" },
    { col_name: "# col_name", data_type: "data_type", comment: "comment" },
    { col_name: "id", data_type: "bigint", comment: null },
    { col_name: "", data_type: "", comment: "" },
    { col_name: "# Detailed Table Information", data_type: "", comment: "" },
    { col_name: "Catalog", data_type: "main", comment: "" },
    { col_name: "Type", data_type: "MANAGED", comment: "" },
    { col_name: "Provider", data_type: provider, comment: "" },
  ];

  it("reads the provider from the detailed section and the columns from the first, in order", () => {
    expect(tableFacts(describeRows("delta"), "t")).toEqual({ provider: "delta", columns: ["id", "Provider", "deleted_at"] });
    expect(runsDml(tableFacts(describeRows("delta"), "t"))).toBe(true);
    for (const p of ["parquet", "hive", "PARQUET"]) expect(runsDml(tableFacts(describeRows(p), "t"))).toBe(false);
    // A column named Provider is not the provider, and without the detailed section there is none.
    expect(() => tableFacts(describeRows("delta").slice(0, 7), "`ds`.`t`")).toThrow(
      /DESCRIBE TABLE EXTENDED `ds`.`t` did not show the table's columns and provider/,
    );
  });

  const facts = { provider: "parquet", columns: ["id", "deleted_at", "_dlt_id"] };
  const copy = "`ds_staging`.`_dlt_rebuild_0__1`";

  it("a delete keeps the other rows (NULL counts as no match) in a copy, then overwrites the table from it", () => {
    const change: RowChange = { kind: "delete", table: "`ds`.`t`", alias: "_dlt_target", where: "_dlt_target.`id` > 1" };
    expect(dmlSql(change)).toBe("DELETE FROM `ds`.`t` AS _dlt_target WHERE _dlt_target.`id` > 1");
    expect(rebuildSql(change, facts, copy)).toEqual({
      probe: "SELECT 1 AS x FROM `ds`.`t` AS _dlt_target WHERE _dlt_target.`id` > 1 LIMIT 1",
      statements: [
        "DROP TABLE IF EXISTS `ds_staging`.`_dlt_rebuild_0__1`",
        "CREATE TABLE `ds_staging`.`_dlt_rebuild_0__1` AS SELECT `id`, `deleted_at`, `_dlt_id` FROM `ds`.`t` AS _dlt_target WHERE NOT COALESCE((_dlt_target.`id` > 1), FALSE)",
        "INSERT OVERWRITE TABLE `ds`.`t` (`id`, `deleted_at`, `_dlt_id`) SELECT `id`, `deleted_at`, `_dlt_id` FROM `ds_staging`.`_dlt_rebuild_0__1`",
      ],
    });
  });

  it("an update rewrites the one column by a CASE and keeps every row", () => {
    const change: RowChange = {
      kind: "update",
      table: "`ds`.`t`",
      alias: "_dlt_target",
      column: "deleted_at",
      value: "CAST('2026-03-04T05:06:07.000Z' AS TIMESTAMP)",
      where: "`deleted_at` IS NULL",
    };
    expect(dmlSql(change)).toBe(
      "UPDATE `ds`.`t` AS _dlt_target SET `deleted_at` = CAST('2026-03-04T05:06:07.000Z' AS TIMESTAMP) WHERE `deleted_at` IS NULL",
    );
    expect(rebuildSql(change, facts, copy).statements[1]).toBe(
      "CREATE TABLE `ds_staging`.`_dlt_rebuild_0__1` AS SELECT `id`, CASE WHEN COALESCE((`deleted_at` IS NULL), FALSE) THEN CAST('2026-03-04T05:06:07.000Z' AS TIMESTAMP) ELSE `deleted_at` END AS `deleted_at`, `_dlt_id` FROM `ds`.`t` AS _dlt_target",
    );
  });
});

describe("databricks key sets as Delta SQL (text; the rebuild of the same steps runs on Spark)", () => {
  const keyed = table("keyed", [
    col("part", "text"),
    col("id", "text", { primaryKey: true }),
    col("deleted_at", "timestamp"),
    col("_dlt_id", "text", { system: true }),
  ]);
  const lines = table("keyed__lines", [col("n", "text"), col("_dlt_root_id", "text", { system: true })], "keyed");
  const schema = {
    get: (n: string) => (n === "keyed" ? keyed : undefined),
    descendants: () => [lines],
  } as unknown as Schema;
  const job = (hard: boolean): ReconcileJob => ({
    resource: "keyed",
    table: "keyed",
    partition: { part: "a" },
    keyColumn: "id",
    keys: ["2"],
    file: "keysets/keyed.0.txt",
    count: 1,
    mode: "deletions",
    deletion: { hard, column: "deleted_at", kind: "timestamp", at: "2026-03-04T05:06:07.000Z" },
  });
  const run = async (j: ReconcileJob, stored: ResultRow[] = []) => {
    const sql: string[] = [];
    const result = await reconcileKeySet(
      {
        schema,
        qualified: (t) => `\`ds\`.\`${t}\``,
        tables: { keys: "`st`.`_dlt_keys__1`", counts: "`st`.`_dlt_reconciled__1`" },
        select: (q) => {
          sql.push(q);
          return Promise.resolve(q.includes("_dlt_reconciled") ? stored : [{ gone: 1, gone_live: 1, live: 3 }]);
        },
        execute: (q) => Promise.resolve(void sql.push(q)),
        apply: (step) => Promise.resolve(void sql.push(typeof step === "string" ? step : dmlSql(step))),
      },
      j,
      0,
    );
    return { sql, result };
  };
  const gone =
    "_dlt_target.`part` = 'a' AND _dlt_target.`id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `st`.`_dlt_keys__1` AS _dlt_key WHERE _dlt_key.key_set = 0 AND _dlt_key.id = CAST(_dlt_target.`id` AS STRING))";

  it("counts first and stores the counts, then marks by one UPDATE", async () => {
    const { sql, result } = await run(job(false));
    expect(result).toMatchObject({ marked: 1, removed: 0, live: 2 });
    expect(sql).toEqual([
      "SELECT removed, marked, live FROM `st`.`_dlt_reconciled__1` WHERE key_set = 0",
      `SELECT COUNT_IF(${gone}) AS gone, COUNT_IF((${gone}) AND \`deleted_at\` IS NULL) AS gone_live, COUNT_IF(_dlt_target.\`part\` = 'a' AND \`deleted_at\` IS NULL) AS live FROM \`ds\`.\`keyed\` AS _dlt_target`,
      "INSERT INTO `st`.`_dlt_reconciled__1` (key_set, removed, marked, live) VALUES (0, 0, 1, 2)",
      `UPDATE \`ds\`.\`keyed\` AS _dlt_target SET \`deleted_at\` = CAST('2026-03-04T05:06:07.000Z' AS TIMESTAMP) WHERE (${gone}) AND \`deleted_at\` IS NULL`,
    ]);
  });

  it("a hard deletion on a rerun reads the stored counts, deletes the child rows by MERGE, then the roots", async () => {
    const { sql, result } = await run(job(true), [{ removed: 1, marked: 0, live: 2 }]);
    expect(result).toMatchObject({ removed: 1, marked: 0, live: 2 });
    expect(sql).toEqual([
      "SELECT removed, marked, live FROM `st`.`_dlt_reconciled__1` WHERE key_set = 0",
      `MERGE INTO \`ds\`.\`keyed__lines\` AS _dlt_target USING (SELECT _dlt_target.\`_dlt_id\` AS id FROM \`ds\`.\`keyed\` AS _dlt_target WHERE ${gone}) AS _dlt_gone ON _dlt_target.\`_dlt_root_id\` = _dlt_gone.id WHEN MATCHED THEN DELETE`,
      `DELETE FROM \`ds\`.\`keyed\` AS _dlt_target WHERE ${gone}`,
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
