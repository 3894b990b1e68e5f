import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { EnvProvider } from "../../src/config/providers.js";
import { ConfigResolver } from "../../src/config/resolver.js";
import { resolveDestination } from "../../src/destinations/registry.js";
import {
  REDSHIFT_CAPABILITIES,
  REDSHIFT_SPELLING,
  copyFromS3Sql,
  redshiftDialect,
} from "../../src/destinations/redshift/index.js";
import { ValuesEncoder, insertBatches, redshiftString } from "../../src/destinations/redshift/insert-values.js";
import { writeCopyFile } from "../../src/destinations/redshift/s3-copy.js";
import { mergeSql } from "../../src/destinations/sql/dispositions.js";
import { NamingConvention } from "../../src/normalize/naming.js";
import { Schema } from "../../src/schema/schema.js";
import type { Column, Table } from "../../src/schema/types.js";
import { PipelineError } from "../../src/util/errors.js";

const dir = mkdtempSync(join(tmpdir(), "redshift-sql-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const col = (name: string, dataType: Column["dataType"], extra: Partial<Column> = {}): Column => ({
  name,
  dataType,
  nullable: true,
  ...extra,
});

describe("Redshift SQL (generated; what a local Postgres cannot run is checked here)", () => {
  it("uses dlt's Redshift types: VARCHAR(65535), NUMERIC(38,9), SUPER, VARBYTE, timestamps with and without zone", () => {
    const d = redshiftDialect();
    expect(d.columnType(col("t", "text"))).toBe("varchar(65535)");
    expect(d.columnType(col("m", "decimal"))).toBe("numeric(38,9)");
    expect(d.columnType(col("m", "decimal", { precision: 10, scale: 2 }))).toBe("numeric(10,2)");
    expect(d.columnType(col("j", "json"))).toBe("super");
    expect(d.columnType(col("b", "binary"))).toBe("varbyte");
    expect(d.columnType(col("ts", "timestamp"))).toBe("timestamp with time zone");
    expect(d.columnType(col("ts", "timestamp", { timezone: false }))).toBe("timestamp without time zone");
    expect(d.addColumn('"ds"."t"', col("x", "bigint"))).toBe('ALTER TABLE "ds"."t" ADD COLUMN "x" bigint');
  });

  it("spells values as Redshift reads them: backslash and quote escaped, SUPER by JSON_PARSE, VARBYTE by FROM_HEX, NUL removed", () => {
    let nul = 0;
    expect(redshiftString("a'b\\c\u0000", (n) => (nul += n))).toBe("'a''b\\\\c'");
    expect(nul).toBe(1);
    const enc = new ValuesEncoder(
      [
        col("id", "bigint"),
        col("s", "text"),
        col("d", "double"),
        col("m", "decimal"),
        col("ok", "bool"),
        col("j", "json"),
        col("b", "binary"),
        col("naive", "timestamp", { timezone: false }),
      ],
      REDSHIFT_SPELLING,
    );
    expect(
      enc.tuple({
        id: "9007199254740993",
        s: "x",
        d: "NaN",
        m: "-0.000000001",
        ok: true,
        j: { k: 'it\'s \\ "q"' },
        b: Buffer.from([0, 255]).toString("base64"),
        naive: "2024-01-01T10:00:00+02:00",
      }),
    ).toBe(
      `(9007199254740993, 'x', 'NaN', -0.000000001, TRUE, JSON_PARSE('{"k":"it''s \\\\\\\\ \\\\"q\\\\""}'), FROM_HEX('00ff'), '2024-01-01T08:00:00')`,
    );
    expect(enc.tuple({})).toBe("(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
    expect(() => enc.tuple({ id: "1; drop table x" })).toThrow(/column id: .* is not an integer/);
  });

  it("bounds each multi-row INSERT by bytes, never splitting a row", async () => {
    function* rows() {
      for (let i = 0; i < 100; i++) yield `(${i}, '${"x".repeat(50)}')`;
    }
    const out: string[] = [];
    for await (const s of insertBatches("INSERT INTO t (a, b) VALUES\n", rows(), 1000)) out.push(s);
    expect(out.length).toBeGreaterThan(5);
    for (const s of out) expect(Buffer.byteLength(s)).toBeLessThanOrEqual(1000);
    const tuples = out.flatMap((s) => s.slice("INSERT INTO t (a, b) VALUES\n".length).split(",\n"));
    expect(tuples).toHaveLength(100);
    expect(tuples[99]).toBe(`(99, '${"x".repeat(50)}')`);
  });

  it("merges without a DELETE alias (Redshift has none) and keeps the alias elsewhere", () => {
    const schema = new Schema("s");
    const root: Table = {
      name: "mrg",
      columns: { id: col("id", "bigint", { primaryKey: true }), _dlt_id: col("_dlt_id", "text", { system: true }) },
    } as unknown as Table;
    const child: Table = { name: "mrg__lines", columns: {} } as unknown as Table;
    const chain = {
      schema,
      root,
      children: [child],
      qualified: (t: string) => `"ds"."${t}"`,
      sources: new Map([["mrg", "stg0"]]),
      temp: "_tmp",
    };
    const rs = mergeSql({ ...chain, dialect: redshiftDialect() });
    const del = rs.find((s) => s.startsWith('DELETE FROM "ds"."mrg"'))!;
    expect(del).toBe('DELETE FROM "ds"."mrg" WHERE EXISTS (SELECT 1 FROM _tmp_keys AS s WHERE s."id" = "ds"."mrg"."id")');
    expect(rs.some((s) => / AS d WHERE/.test(s) && s.startsWith('DELETE FROM "ds"."mrg" '))).toBe(false);
  });

  it("writes COPY FROM S3 as dlt does: JSON 'auto', ISO dates and times, gzip, an IAM role or the keys; from a manifest naming the table's files", () => {
    expect(
      copyFromS3Sql('"ds"."t"', ['"a"', '"b"'], "s3://bk/p/ds/_staging/1.2/t.x.0.jsonl.manifest", {
        iamRole: "arn:aws:iam::1:role/r",
      }),
    ).toBe(
      `COPY "ds"."t" ("a", "b") FROM 's3://bk/p/ds/_staging/1.2/t.x.0.jsonl.manifest' IAM_ROLE 'arn:aws:iam::1:role/r' MANIFEST FORMAT AS JSON 'auto' DATEFORMAT 'auto' TIMEFORMAT 'auto' GZIP`,
    );
    expect(
      copyFromS3Sql('"ds"."t"', ['"a"'], "s3://bk/x.manifest", {
        credentials: {
          aws_access_key_id: "AK",
          aws_secret_access_key: "sec'ret",
          aws_session_token: "tok",
          region_name: "eu-west-1",
        },
      }),
    ).toBe(
      `COPY "ds"."t" ("a") FROM 's3://bk/x.manifest' ACCESS_KEY_ID 'AK' SECRET_ACCESS_KEY 'sec''ret' SESSION_TOKEN 'tok' REGION 'eu-west-1' MANIFEST FORMAT AS JSON 'auto' DATEFORMAT 'auto' TIMEFORMAT 'auto' GZIP`,
    );
    expect(() => copyFromS3Sql("t", ["a"], "s3://bk/x.manifest", {})).toThrow(/neither staging_iam_role nor/);
  });

  it("prepares staged files for COPY: naive timestamps at UTC wall time, NUL removed, gzip; refuses binary as dlt does", async () => {
    const file = join(dir, "t.abc.0.jsonl");
    writeFileSync(file, `${JSON.stringify({ id: 1, naive: "2024-01-01T10:00:00+02:00", s: "a\u0000b", j: { k: "\u0000" } })}\n`);
    const table = {
      name: "t",
      columns: {
        id: col("id", "bigint"),
        naive: col("naive", "timestamp", { timezone: false }),
        s: col("s", "text"),
        j: col("j", "json"),
      },
    } as unknown as Table;
    let nul = 0;
    const out = join(dir, "t.gz");
    const job = { table: "t", file: "t.abc.0.jsonl", rows: 1, bytes: 1, path: file };
    await writeCopyFile(table, job, out, (n) => (nul += n));
    expect(JSON.parse(gunzipSync(readFileSync(out)).toString("utf8"))).toEqual({
      id: 1,
      naive: "2024-01-01T08:00:00",
      s: "ab",
      j: { k: "" },
    });
    expect(nul).toBe(2);
    const withBinary = { name: "t", columns: { b: col("b", "binary") } } as unknown as Table;
    await expect(writeCopyFile(withBinary, job, out, () => undefined)).rejects.toThrow(
      /binary, which Redshift's COPY cannot load/,
    );
  });

  it("shortens identifiers to Redshift's 127 bytes (a local Postgres cuts at 63, so the conformance case cannot show it)", () => {
    expect(REDSHIFT_CAPABILITIES.maxIdentifierLength).toBe(127);
    const naming = new NamingConvention(127);
    const name = naming.normalizeIdentifier(`t_${"long_table_name_".repeat(9)}`);
    expect(Buffer.byteLength(name)).toBe(127);
    expect(naming.normalizeIdentifier("٣".repeat(140)).length).toBeLessThanOrEqual(127);
    expect(naming.normalizeIdentifier("Mixed_CASE Name")).toBe("mixed_case_name");
  });
});

describe("Redshift destination config", () => {
  const connect = { datasetName: "ds", pipelineName: "p", workingDir: dir };

  it("takes dlt's DSN (redshift://, default port 5439) and shows it redacted, also in a connect error", async () => {
    const env = { DESTINATION__REDSHIFT__CREDENTIALS: "redshift://loader:s3cret-pw%21@127.0.0.1:1/dev" };
    const d = await resolveDestination("redshift", new ConfigResolver([new EnvProvider(env)]));
    expect(d.name).toBe("redshift");
    expect(d.location(connect)).toBe("redshift://loader:***@127.0.0.1:1/dev");
    const err = (await d.connect(connect).catch((e: unknown) => e)) as PipelineError;
    expect(err).toBeInstanceOf(PipelineError);
    expect(err.describe()).toContain("could not connect to Redshift at redshift://loader:***@127.0.0.1:1/dev");
    expect(err.describe()).not.toContain("s3cret-pw");
    const noPort = await resolveDestination(
      "redshift",
      new ConfigResolver([new EnvProvider({ DESTINATION__REDSHIFT__CREDENTIALS: "redshift://u@cluster.example/dev" })]),
    );
    expect(noPort.location(connect)).toBe("redshift://u@cluster.example:5439/dev");
    // A postgresql:// DSN without a port connects to Redshift's 5439 too, as it is shown.
    const pgNoPort = await resolveDestination(
      "redshift",
      new ConfigResolver([new EnvProvider({ DESTINATION__REDSHIFT__CREDENTIALS: "postgresql://u:pw@127.0.0.1/dev" })]),
    );
    expect(pgNoPort.location(connect)).toBe("redshift://u:***@127.0.0.1:5439/dev");
    const refused = (await pgNoPort.connect(connect).catch((e: unknown) => e)) as PipelineError;
    expect(refused.describe()).toMatch(/127\.0\.0\.1:5439/);
  });

  it("takes the fields, and staging = filesystem with an s3:// bucket_url (the shared stager's check); refuses another bucket, and a COPY that could not read it", async () => {
    const env = {
      DESTINATION__REDSHIFT__CREDENTIALS__HOST: "cluster.example",
      DESTINATION__REDSHIFT__CREDENTIALS__USERNAME: "u",
      DESTINATION__REDSHIFT__CREDENTIALS__PASSWORD: "pw",
      DESTINATION__REDSHIFT__CREDENTIALS__DATABASE: "dev",
      DESTINATION__REDSHIFT__STAGING: "filesystem",
      DESTINATION__REDSHIFT__STAGING_IAM_ROLE: "arn:aws:iam::1:role/r",
      DESTINATION__FILESYSTEM__BUCKET_URL: "s3://bk/p",
    };
    const d = await resolveDestination("redshift", new ConfigResolver([new EnvProvider(env)]));
    expect(d.location(connect)).toBe("redshift://u:***@cluster.example:5439/dev");
    const bad = { ...env, DESTINATION__FILESYSTEM__BUCKET_URL: "gs://bk/p" };
    await expect(resolveDestination("redshift", new ConfigResolver([new EnvProvider(bad)]))).rejects.toThrow(
      /bucket_url redshift reads staged files only from s3:\/\/bucket\/prefix \(got "gs:\/\/bk\/p"/,
    );
    // Neither staging_iam_role nor the bucket's keys: refused when the destination is made, not after the upload.
    const noAuth: Partial<typeof env> = { ...env };
    delete noAuth.DESTINATION__REDSHIFT__STAGING_IAM_ROLE;
    await expect(resolveDestination("redshift", new ConfigResolver([new EnvProvider(noAuth)]))).rejects.toThrow(
      /neither staging_iam_role nor the staging bucket's access keys/,
    );
    const keys = {
      ...noAuth,
      DESTINATION__FILESYSTEM__CREDENTIALS__AWS_ACCESS_KEY_ID: "AK",
      DESTINATION__FILESYSTEM__CREDENTIALS__AWS_SECRET_ACCESS_KEY: "sk",
    };
    expect((await resolveDestination("redshift", new ConfigResolver([new EnvProvider(keys)]))).name).toBe("redshift");
    const none = { ...env, DESTINATION__FILESYSTEM__BUCKET_URL: "" };
    delete (none as Partial<typeof none>).DESTINATION__FILESYSTEM__BUCKET_URL;
    await expect(resolveDestination("redshift", new ConfigResolver([new EnvProvider(none)]))).rejects.toThrow(
      /needs \[destination.filesystem\] bucket_url/,
    );
  });
});
