import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EnvProvider } from "../../src/config/providers.js";
import { ConfigResolver } from "../../src/config/resolver.js";
import { Secret } from "../../src/config/secret.js";
import type { DestinationClient, LoadJob } from "../../src/destinations/destination.js";
import { AzureBucket } from "../../src/destinations/filesystem/azure-bucket.js";
import { resolveDestination } from "../../src/destinations/registry.js";
import { bucketCopySource, snowflakeBucketAccess } from "../../src/destinations/snowflake/bucket-access.js";
import type { SnowflakeConnection } from "../../src/destinations/snowflake/connection.js";
import type { SnowflakeDestination, SnowflakeStaging } from "../../src/destinations/snowflake/index.js";
import { stageRawTable } from "../../src/destinations/snowflake/stage.js";
import { BucketStage, type StageFiles } from "../../src/destinations/snowflake/stage-files.js";
import type { SqlConnection } from "../../src/destinations/sql/sql-connection.js";
import { openRemoteBucket } from "../../src/destinations/filesystem/remote-bucket.js";
import { stagingFromConfig } from "../../src/destinations/staging.js";
import { resource } from "../../src/extract/resource.js";
import { pipeline } from "../../src/pipeline/pipeline.js";
import type { Table } from "../../src/schema/types.js";
import { ConfigError, PipelineError } from "../../src/util/errors.js";
import { type Fakesnow, fakesnowSkipReason, startFakesnow } from "./fakesnow.js";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from "./azurite-server.js";
import { startS3 } from "./s3-server.js";
import { WatchedStaging } from "./staging-lifetime.js";

// dlt's `staging = "filesystem"` for Snowflake: the load files go to [destination.filesystem]
// bucket_url through the shared stager (src/destinations/staging.ts) and COPY reads them from
// there. fakesnow runs on DuckDB without httpfs, so no COPY from a bucket runs here: these tests
// prove the config checks, the COPY text, the redaction, and (fakesnow + s3rver) the upload up to
// the COPY that fakesnow parses and then cannot read.

const env = (vars: Record<string, string>) => new ConfigResolver([new EnvProvider(vars)]);
const SNOWFLAKE = { DESTINATION__SNOWFLAKE__CREDENTIALS: "snowflake://loader:sf-password-canary@xy12345/ANALYTICS" };

/** The ConfigError `resolveDestination` throws for these settings (staging = "filesystem"). */
async function stagingError(vars: Record<string, string>): Promise<ConfigError> {
  const err = await resolveDestination("snowflake", env({ ...SNOWFLAKE, ...vars }), { staging: "filesystem" }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe("Snowflake staging config: what COPY needs to read the bucket is checked when the destination is made", () => {
  it("needs [destination.filesystem] bucket_url", async () => {
    expect((await stagingError({})).describe()).toMatch(
      /staging = "filesystem" for snowflake needs \[destination\.filesystem\] bucket_url/,
    );
  });

  it("gs:// without stage_name: Snowflake reads GCS only through a storage integration, so the error names stage_name and how to make one", async () => {
    const text = (await stagingError({ DESTINATION__FILESYSTEM__BUCKET_URL: "gs://my-bucket/stage" })).describe();
    expect(text).toMatch(/cannot read the gs:\/\/ staging bucket gs:\/\/my-bucket\/stage without a named stage/);
    expect(text).toContain("STORAGE_INTEGRATION");
    expect(text).toContain("CREATE STAGE my_stage URL = 'gcs://my-bucket/stage'");
    expect(text).toContain("[destination.snowflake] stage_name");
    expect(text).toContain("DESTINATION__SNOWFLAKE__STAGE_NAME");
  });

  it("s3:// with neither keys nor stage_name names both fixes", async () => {
    const text = (await stagingError({ DESTINATION__FILESYSTEM__BUCKET_URL: "s3://my-bucket/stage" })).describe();
    expect(text).toMatch(/no access keys and no stage_name/);
    expect(text).toContain("aws_access_key_id and aws_secret_access_key under [destination.filesystem.credentials]");
  });

  it("Azure with an account key only: COPY takes a SAS token, and the error says so (never the key)", async () => {
    const text = (
      await stagingError({
        DESTINATION__FILESYSTEM__BUCKET_URL: "az://container/stage",
        DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_STORAGE_ACCOUNT_NAME: "acct",
        DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_STORAGE_ACCOUNT_KEY: "account-key-canary",
      })
    ).describe();
    expect(text).toMatch(/COPY reads Azure with a SAS token/);
    expect(text).toContain("azure_storage_sas_token");
    expect(text).not.toContain("account-key-canary");
  });

  it("a local bucket_url is refused by name: the warehouse cannot read this machine's folders", async () => {
    const text = (await stagingError({ DESTINATION__FILESYSTEM__BUCKET_URL: "/tmp/stage" })).describe();
    expect(text).toMatch(/snowflake reads staged files only from s3:\/\/bucket\/prefix or gs:\/\/bucket\/prefix or az:\/\//);
    expect(text).toContain("bucket_url");
  });

  it("gs:// with stage_name, s3:// with keys and az:// with a SAS token are accepted; no secret shows in the destination", async () => {
    const accepted: Record<string, string>[] = [
      { DESTINATION__FILESYSTEM__BUCKET_URL: "gs://my-bucket/stage", DESTINATION__SNOWFLAKE__STAGE_NAME: "my_gcs_stage" },
      {
        DESTINATION__FILESYSTEM__BUCKET_URL: "s3://my-bucket/stage",
        DESTINATION__FILESYSTEM__CREDENTIALS__AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
        DESTINATION__FILESYSTEM__CREDENTIALS__AWS_SECRET_ACCESS_KEY: "aws-secret-canary",
      },
      {
        DESTINATION__FILESYSTEM__BUCKET_URL: "abfss://container@acct.dfs.core.windows.net/stage",
        DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_STORAGE_SAS_TOKEN: "sv=2024&sig=sas-canary",
      },
    ];
    for (const vars of accepted) {
      const d = await resolveDestination("snowflake", env({ ...SNOWFLAKE, ...vars }), { staging: "filesystem" });
      expect(d.name).toBe("snowflake");
      const shown = JSON.stringify(d);
      for (const canary of ["aws-secret-canary", "sas-canary", "sf-password-canary"]) expect(shown).not.toContain(canary);
    }
  });
});

describe("Snowflake COPY text over the staging bucket (the same raw VARIANT table and casts as the internal stage)", () => {
  const folder = "ds/_staging/1712345678.123";
  const files = ["invoices.abc.0.jsonl", "invoices.abc.1.jsonl"];

  it("s3:// with keys: the location, CREDENTIALS after it (Snowflake's grammar), then FILES; the session token as AWS_TOKEN", () => {
    const access = snowflakeBucketAccess("s3://b/p", {
      aws_access_key_id: "AKIAEXAMPLE",
      aws_secret_access_key: Secret.from("sec'ret\\canary"),
      aws_session_token: "session-token-canary",
    });
    const s = bucketCopySource(access, `s3://b/p/${folder}`, folder, files);
    expect(s.sql).toBe(
      `'s3://b/p/${folder}/' CREDENTIALS = (AWS_KEY_ID = 'AKIAEXAMPLE' AWS_SECRET_KEY = 'sec''ret\\\\canary' AWS_TOKEN = 'session-token-canary') FILES = ('invoices.abc.0.jsonl', 'invoices.abc.1.jsonl')`,
    );
    expect(s.display).toBe(
      `'s3://b/p/${folder}/' CREDENTIALS = (AWS_KEY_ID = 'AKIAEXAMPLE' AWS_SECRET_KEY = '***' AWS_TOKEN = '***') FILES = ('invoices.abc.0.jsonl', 'invoices.abc.1.jsonl')`,
    );
    // Both the value and its escaped form, as an engine may quote either.
    expect(s.redact(`near sec'ret\\canary and sec''ret\\\\canary and session-token-canary`)).toBe("near *** and *** and ***");
  });

  it("Azure with a SAS token: the blob URL in Snowflake's azure:// form and AZURE_SAS_TOKEN with its leading ?", () => {
    const access = snowflakeBucketAccess("az://container/p", { azure_storage_sas_token: "sv=2024&sig=sas-canary" });
    const s = bucketCopySource(access, `https://acct.blob.core.windows.net/container/p/${folder}`, folder, files.slice(0, 1));
    expect(s.sql).toBe(
      `'azure://acct.blob.core.windows.net/container/p/${folder}/' CREDENTIALS = (AZURE_SAS_TOKEN = '?sv=2024&sig=sas-canary') FILES = ('invoices.abc.0.jsonl')`,
    );
    expect(s.display).not.toContain("sas-canary");
  });

  it("stage_name: the named external stage over bucket_url, the package's folder under it, no credentials in the statement", () => {
    const access = snowflakeBucketAccess("gs://b/p", {}, "RAW.MY_GCS_STAGE");
    const s = bucketCopySource(access, `gs://b/p/${folder}`, folder, files.slice(0, 1));
    expect(s.sql).toBe(`@RAW.MY_GCS_STAGE/${folder}/ FILES = ('invoices.abc.0.jsonl')`);
    expect(s.display).toBe(s.sql);
  });

  it("an engine error that quotes the statement reaches neither the message nor the cause with the secret in it", async () => {
    const access = snowflakeBucketAccess("s3://b/p", {
      aws_access_key_id: "AKIAEXAMPLE",
      aws_secret_access_key: "copy-secret-canary",
    });
    const files: StageFiles = {
      display: "bucket s3://b/p",
      put: (_t, f) =>
        Promise.resolve(
          bucketCopySource(
            access,
            `s3://b/p/${folder}`,
            folder,
            f.map((x) => x.file),
          ),
        ),
      cleanup: () => Promise.resolve(),
    };
    const conn = {
      execute: (sql: string) =>
        sql.startsWith("COPY")
          ? Promise.reject(Object.assign(new Error(`SQL compilation error: cannot read ${sql}`), { code: "091003" }))
          : Promise.resolve(),
    } as unknown as SnowflakeConnection;
    const scratch = mkdtempSync(join(tmpdir(), "sf-redact-"));
    const data = join(scratch, "in.jsonl");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(data, '{"id":1}\n');
    const table: Table = {
      name: "t",
      writeDisposition: "append",
      columns: { id: { name: "id", dataType: "bigint", nullable: true } },
    };
    const job = { table: "t", file: "t.x.0.jsonl", path: data, rows: 1, bytes: 9 } as LoadJob;
    const out = mkdtempSync(join(tmpdir(), "sf-redact-out-"));
    try {
      const err = (await stageRawTable(conn, files, out, table, [job]).catch((e: unknown) => e)) as PipelineError;
      expect(err).toBeInstanceOf(PipelineError);
      expect(err.message).toMatch(
        /table t: COPY INTO from 's3:\/\/b\/p\/.*' CREDENTIALS = \(AWS_KEY_ID = 'AKIAEXAMPLE' AWS_SECRET_KEY = '\*\*\*'\)/,
      );
      expect(err.describe()).not.toContain("copy-secret-canary");
      const cause = err.cause as Error & { code?: string };
      expect(cause.message).not.toContain("copy-secret-canary");
      expect(cause.code).toBe("091003");
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("AzureBucket.uri names the blob by its account's URL, without the SAS token the client sends", async () => {
    const b = await AzureBucket.open("abfss://container@acct.dfs.core.windows.net/p", {
      azure_storage_sas_token: "sv=2024&sig=uri-canary",
    });
    expect(b.uri("ds/_staging/1/f.jsonl")).toBe("https://acct.blob.core.windows.net/container/p/ds/_staging/1/f.jsonl");
  });
});

const skip = fakesnowSkipReason();
let fs: Fakesnow | undefined;
const root = mkdtempSync(join(tmpdir(), "snowflake-staging-"));
beforeAll(async () => {
  if (!skip) fs = await startFakesnow();
}, 120_000);
afterAll(async () => {
  await fs?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A pipeline into fakesnow with `staging`, and the COPY statements its client sent on the real session. */
function recordingPipeline(datasetName: string, staging: SnowflakeStaging) {
  const base = fs!.destination({ staging });
  const copies: string[] = [];
  const destination = Object.assign(Object.create(base) as SnowflakeDestination, {
    async connect(o: Parameters<SnowflakeDestination["connect"]>[0]): Promise<DestinationClient> {
      const c = await base.connect(o);
      const conn = (c as unknown as { conn: SqlConnection }).conn;
      const execute = conn.execute.bind(conn);
      conn.execute = (sql, params) => {
        if (sql.startsWith("COPY INTO")) copies.push(sql);
        return execute(sql, params);
      };
      return c;
    },
  });
  const make = () =>
    pipeline({
      pipelineName: datasetName,
      destination,
      datasetName,
      pipelinesDir: join(root, datasetName),
      config: new ConfigResolver([]),
    });
  return { make, copies };
}

/** A root table with a null (dropped in the staged rewrite) and a child table. */
const invoices = () =>
  resource(
    function* () {
      yield [
        { id: 1, note: null, at: "2024-02-29T10:00:00Z", lines: [{ n: 1 }, { n: 2 }] },
        { id: 2, note: "b", at: "2024-03-01T00:00:00Z", lines: [] },
      ];
    },
    { name: "inv", primaryKey: "id", writeDisposition: "merge" },
  );

describe.skipIf(skip !== undefined)(
  `snowflake staging through s3rver up to the COPY (fakesnow has no httpfs)${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    it("uploads the rewritten files under <dataset>/_staging/<load_id>/, sends a COPY naming exactly them, commits nothing when it fails, and a rerun replaces the same objects", async () => {
      const s3 = await startS3();
      const client = new S3Client({
        region: "us-east-1",
        endpoint: s3.credentials.endpoint_url,
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      });
      try {
        const datasetName = `sfst_${Math.random().toString(36).slice(2, 8)}`;
        const config = env({
          DESTINATION__FILESYSTEM__BUCKET_URL: `s3://${s3.bucket}/stage`,
          DESTINATION__FILESYSTEM__CREDENTIALS__AWS_ACCESS_KEY_ID: "S3RVER",
          DESTINATION__FILESYSTEM__CREDENTIALS__AWS_SECRET_ACCESS_KEY: "staging-secret-canary",
          DESTINATION__FILESYSTEM__CREDENTIALS__ENDPOINT_URL: s3.credentials.endpoint_url!,
        });
        const bucket = stagingFromConfig(config, "snowflake", ["s3"]);
        const access = snowflakeBucketAccess(bucket.display, {
          aws_access_key_id: "S3RVER",
          aws_secret_access_key: "staging-secret-canary",
        });
        const { make, copies } = recordingPipeline(datasetName, { bucket, access });
        const err = (await make()
          .run(invoices())
          .catch((e: unknown) => e)) as PipelineError;
        expect(err).toBeInstanceOf(PipelineError);
        const text = err.describe();
        expect(text).toMatch(new RegExp(`table inv: COPY INTO from 's3://${s3.bucket}/stage/${datasetName}/_staging/[0-9.]+/'`));
        expect(text).toContain("AWS_SECRET_KEY = '***'");
        // fakesnow parsed the COPY and got as far as reading s3:// through DuckDB (scripts/test-infra/fakesnow-server.py).
        expect(text).toMatch(/091003.*httpfs/);
        expect(text).not.toContain("staging-secret-canary");

        const list = async () =>
          (
            await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `stage/${datasetName}/_staging/` }))
          ).Contents?.map((o) => ({ key: o.Key!, modified: o.LastModified!.getTime() })) ?? [];
        const first = await list();
        // The root table's file went up (the first COPY failed, so the child's never did), named as
        // its load file without .gz: the rewrite is plain JSON lines, nulls dropped.
        expect(first.map((o) => o.key)).toEqual([
          expect.stringMatching(new RegExp(`^stage/${datasetName}/_staging/[0-9.]+/inv\\.[^/]+\\.jsonl$`)),
        ]);
        const body = await (
          await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: first[0]!.key }))
        ).Body!.transformToString();
        const rows = body
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(rows.map((r) => [r.id, r.note, "note" in r])).toEqual([
          [1, undefined, false],
          [2, "b", true],
        ]);
        // The COPY fakesnow received names exactly that object, under the package's folder.
        const file = first[0]!.key.split("/").pop()!;
        expect(copies.at(-1)).toContain(
          `FROM 's3://${s3.bucket}/stage/${first[0]!.key.slice("stage/".length, -file.length - 1)}/' CREDENTIALS = (`,
        );
        expect(copies.at(-1)).toContain(`FILES = ('${file}') FILE_FORMAT = (TYPE = 'JSON')`);
        // Phase 1 made the (empty) tables; no package committed.
        expect(await make().dataset().table("_dlt_loads").count()).toBe(0);

        // The rerun of the pending package uploads to the same keys: replaced, not added to.
        await new Promise((r) => setTimeout(r, 1100));
        await expect(make().load()).rejects.toThrow(/COPY INTO from/);
        const second = await list();
        expect(second.map((o) => o.key)).toEqual(first.map((o) => o.key));
        expect(second[0]!.modified).toBeGreaterThan(first[0]!.modified);

        // What the client runs after a commit (unless keep_staged_files): the package's folder emptied.
        const loadId = first[0]!.key.split("/")[3]!;
        const stager = bucket.stager();
        await new BucketStage(stager, access, datasetName, loadId).cleanup();
        expect(await list()).toEqual([]);
        await stager.close();
      } finally {
        client.destroy();
        await s3.stop();
      }
    }, 120_000);

    it("two clients of one destination: closing the first leaves the second's bucket open mid-upload; the second's upload finishes and its COPY is sent", async () => {
      const s3 = await startS3();
      try {
        const datasetName = `sf2_${Math.random().toString(36).slice(2, 8)}`;
        const url = `s3://${s3.bucket}/stage`;
        const watched = new WatchedStaging(url, () => openRemoteBucket(url, s3.credentials));
        const access = snowflakeBucketAccess(url, { aws_access_key_id: "S3RVER", aws_secret_access_key: "S3RVER" });
        const destination = fs!.destination({ staging: { bucket: watched.bucket(), access } });
        const first = await destination.connect({ datasetName, pipelineName: "other", workingDir: root });
        const hold = watched.holdNextUpload();
        const loading = pipeline({
          pipelineName: datasetName,
          destination,
          datasetName,
          pipelinesDir: join(root, datasetName),
          config: new ConfigResolver([]),
        })
          .run(invoices())
          .catch((e: unknown) => e);
        await hold.started;
        await first.close();
        hold.release();
        const text = ((await loading) as PipelineError).describe();
        // The upload went through; what fails is fakesnow reading s3:// (no httpfs), as above.
        expect(text).toMatch(/table inv: COPY INTO from 's3:/);
        expect(text).not.toMatch(/closed/);
        expect({ opened: watched.opened, closed: watched.closed }).toEqual({ opened: 1, closed: 1 });
      } finally {
        await s3.stop();
      }
    }, 120_000);

    it("Azure with a SAS token (Azurite): the files go up through the SAS token and the COPY reads the blob's azure:// URL with AZURE_SAS_TOKEN", async () => {
      const az = await startAzurite();
      try {
        const sas = generateAccountSASQueryParameters(
          {
            expiresOn: new Date(Date.now() + 3600_000),
            permissions: AccountSASPermissions.parse("rwdlc"),
            resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
            services: AccountSASServices.parse("b").toString(),
          },
          new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
        ).toString();
        const datasetName = `sfaz_${Math.random().toString(36).slice(2, 8)}`;
        const config = env({
          DESTINATION__FILESYSTEM__BUCKET_URL: `az://${az.container}/stage`,
          DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_STORAGE_ACCOUNT_NAME: AZURITE_ACCOUNT,
          DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_STORAGE_SAS_TOKEN: sas,
          DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_ACCOUNT_HOST: az.endpoint,
        });
        const bucket = stagingFromConfig(config, "snowflake", ["az"]);
        const access = snowflakeBucketAccess(bucket.display, { azure_storage_sas_token: sas });
        const { make, copies } = recordingPipeline(datasetName, { bucket, access });
        const err = (await make()
          .run(invoices())
          .catch((e: unknown) => e)) as PipelineError;
        expect(err).toBeInstanceOf(PipelineError);
        const text = err.describe();
        const folder = new RegExp(
          `'azure://127\\.0\\.0\\.1:\\d+/${AZURITE_ACCOUNT}/${az.container}/stage/${datasetName}/_staging/[0-9.]+/'`,
        );
        expect(text).toMatch(folder);
        expect(text).toContain("AZURE_SAS_TOKEN = '***'");
        expect(text).toMatch(/091003.*azure/); // DuckDB's azure extension is missing here
        const sig = new URLSearchParams(sas).get("sig")!;
        expect(text).not.toContain(sig);
        expect(copies.at(-1)).toMatch(folder);
        expect(copies.at(-1)).toContain(`AZURE_SAS_TOKEN = '?${sas}'`);
        const blobs: string[] = [];
        const container = BlobServiceClient.fromConnectionString(
          `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${az.endpoint};`,
        ).getContainerClient(az.container);
        for await (const b of container.listBlobsFlat({ prefix: `stage/${datasetName}/_staging/` })) blobs.push(b.name);
        expect(blobs).toEqual([expect.stringMatching(new RegExp(`^stage/${datasetName}/_staging/[0-9.]+/inv\\.[^/]+\\.jsonl$`))]);
        expect(copies.at(-1)).toContain(`FILES = ('${blobs[0]!.split("/").pop()!}')`);
      } finally {
        await az.stop();
      }
    }, 120_000);
  },
);
