import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigResolver } from "../../src/config/resolver.js";
import { resource } from "../../src/extract/resource.js";
import { pipeline } from "../../src/pipeline/pipeline.js";
import { PipelineError } from "../../src/util/errors.js";
import { EnvProvider } from "../../src/config/providers.js";
import type { RedshiftStagingOptions } from "../../src/destinations/redshift/index.js";
import { openRemoteBucket } from "../../src/destinations/filesystem/remote-bucket.js";
import { stagingFromConfig } from "../../src/destinations/staging.js";
import { conformanceSuite } from "./conformance.js";
import { PG_URL, dropSchema, probePostgres } from "./pg-server.js";
import { redshiftOnPostgres, withCopyFromS3 } from "./redshift-on-postgres.js";
import { WatchedStaging } from "./staging-lifetime.js";
import { startS3 } from "./s3-server.js";

// The Redshift dialect's SQL on the local Postgres server (test mode, see redshift-on-postgres.ts).
const unreachable = await probePostgres();

/** The staging bucket's secret key: s3rver takes any; it must never show in an error. */
const CANARY = "staging-secret-canary";

/** `staging = "filesystem"` on s3rver, built as destinationFromConfig builds it (dlt's names). */
function s3Staging(s3: Awaited<ReturnType<typeof startS3>>, bucket = s3.bucket): RedshiftStagingOptions {
  const config = new ConfigResolver([
    new EnvProvider({
      DESTINATION__FILESYSTEM__BUCKET_URL: `s3://${bucket}/stage`,
      DESTINATION__FILESYSTEM__CREDENTIALS__AWS_ACCESS_KEY_ID: "S3RVER",
      DESTINATION__FILESYSTEM__CREDENTIALS__AWS_SECRET_ACCESS_KEY: CANARY,
      DESTINATION__FILESYSTEM__CREDENTIALS__ENDPOINT_URL: s3.credentials.endpoint_url!,
    }),
  ]);
  return {
    bucket: stagingFromConfig(config, "redshift", ["s3"]),
    credentials: { aws_access_key_id: "S3RVER", aws_secret_access_key: CANARY },
  };
}

function s3Client(endpoint: string): S3Client {
  return new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
}

async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

async function getText(client: S3Client, bucket: string, key: string): Promise<string> {
  return (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
}

/** The object an `s3://bucket/key` URI names (what the COPY stand-in reads). */
async function getBytes(client: S3Client, uri: string): Promise<Buffer> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri)!;
  const body = (await client.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }))).Body!;
  return Buffer.from(await body.transformToByteArray());
}

conformanceSuite({
  name: "redshift (its SQL on the local Postgres server)",
  skip: unreachable,
  destination: () => redshiftOnPostgres({ credentials: PG_URL }),
  nul: "stripped",
  maxTextBytes: 65535,
  skipCases: {
    "long identifiers":
      "Postgres cuts identifiers at 63 bytes, Redshift at 127: the 127-byte names are checked in redshift-sql.test.ts",
  },
  dropDataset: (name) => dropSchema(name),
});

describe.skipIf(unreachable !== undefined)(
  `redshift load protocol and staging through S3 (s3rver; the COPY itself needs Redshift)${unreachable ? ` (skipped: ${unreachable})` : ""}`,
  () => {
    const root = mkdtempSync(join(tmpdir(), "redshift-staging-"));
    const schemas: string[] = [];
    afterAll(async () => {
      for (const s of schemas) await dropSchema(s);
      rmSync(root, { recursive: true, force: true });
    });

    it("a load that fails inside its transaction after staging rows commits nothing; the next load finishes the package exactly once", async () => {
      const datasetName = `rsc_${Math.random().toString(36).slice(2, 8)}`;
      schemas.push(datasetName);
      const make = (onProgress?: (e: { step: string; table?: string }) => void) =>
        pipeline({
          pipelineName: "rsc",
          destination: redshiftOnPostgres({ credentials: PG_URL }),
          datasetName,
          pipelinesDir: join(root, "crash"),
          config: new ConfigResolver([]),
          ...(onProgress ? { onProgress } : {}),
        });
      const data = (gen: number) =>
        resource(
          function* () {
            yield [
              { id: 1, v: `a${gen}`, lines: [{ n: 1 }, { n: 2 }] },
              { id: 2, v: `b${gen}`, lines: [{ n: 3 }] },
            ];
          },
          { name: "inv", primaryKey: "id", writeDisposition: "merge" },
        );
      await make().run(data(1));
      // The second package dies after its first job was staged (as the crash point load_job_staged).
      let staged = 0;
      const dying = make((e) => {
        if (e.step === "load" && e.table && ++staged === 1) throw new Error("simulated crash after staging");
      });
      await expect(dying.run(data(2))).rejects.toThrow(/simulated crash after staging/);
      const ds = make().dataset();
      expect((await ds.table("inv").orderBy("id").rows()).map((r) => r.v)).toEqual(["a1", "b1"]);
      expect(await ds.table("_dlt_loads").count()).toBe(1);
      const info = await make().load();
      expect(info.loadPackages.map((x) => x.alreadyLoaded)).toEqual([false]);
      expect((await ds.table("inv").orderBy("id").rows()).map((r) => r.v)).toEqual(["a2", "b2"]);
      expect(await ds.table("inv__lines").count()).toBe(3);
      expect(await ds.table("_dlt_loads").count()).toBe(2);
      expect((await make().load()).loadPackages).toEqual([]);
    });

    it("uploads the package's files through the shared stager under <dataset>/_staging/<load_id>/ with a manifest naming them, then the server runs COPY FROM the manifest; a failed COPY commits nothing, never shows the key, and a rerun replaces the same objects", async () => {
      const s3 = await startS3();
      const client = s3Client(s3.credentials.endpoint_url!);
      try {
        const datasetName = `rss_${Math.random().toString(36).slice(2, 8)}`;
        schemas.push(datasetName);
        const make = () =>
          pipeline({
            pipelineName: "rss",
            destination: redshiftOnPostgres({ credentials: PG_URL, staging: s3Staging(s3) }),
            datasetName,
            pipelinesDir: join(root, "p"),
            config: new ConfigResolver([]),
          });
        const err = (await make()
          .run(
            resource(
              function* () {
                yield [{ id: 1, at: "2024-01-01T00:00:00Z" }];
              },
              { name: "events" },
            ),
          )
          .catch((e: unknown) => e)) as PipelineError;
        expect(err).toBeInstanceOf(PipelineError);
        const text = err.describe();
        // Postgres has no COPY FROM 's3://': the statement reached the server and was refused there.
        expect(text).toMatch(
          new RegExp(
            `table events: Redshift COPY from s3://${s3.bucket}/stage/${datasetName}/_staging/[0-9.]+/events\\.[^/]+\\.jsonl\\.manifest failed`,
          ),
        );
        expect(text).not.toContain(CANARY);
        const keys = await listKeys(client, s3.bucket, `stage/${datasetName}/_staging/`);
        expect(keys).toEqual([
          expect.stringMatching(/\/_staging\/[0-9.]+\/events\.[^/]+\.jsonl\.gz$/),
          expect.stringMatching(/\/_staging\/[0-9.]+\/events\.[^/]+\.jsonl\.manifest$/),
        ]);
        // The manifest names exactly the table's gzipped file, and COPY must find it.
        const manifest = JSON.parse(await getText(client, s3.bucket, keys[1]!)) as unknown;
        expect(manifest).toEqual({ entries: [{ url: `s3://${s3.bucket}/${keys[0]!}`, mandatory: true }] });
        expect(await make().dataset().tables()).not.toContain("_dlt_loads");
        // The rerun of the pending package stages to the same keys: replaced, not added to.
        await expect(make().load()).rejects.toThrow(/Redshift COPY from/);
        expect(await listKeys(client, s3.bucket, `stage/${datasetName}/_staging/`)).toEqual(keys);
      } finally {
        client.destroy();
        await s3.stop();
      }
    });

    it("two clients of one destination: closing the first leaves the second's staging bucket open mid-upload; the second commits through staging (the COPY stand-in) and removes its files", async () => {
      const s3 = await startS3();
      const client = s3Client(s3.credentials.endpoint_url!);
      try {
        const datasetName = `rs2_${Math.random().toString(36).slice(2, 8)}`;
        schemas.push(datasetName);
        const url = `s3://${s3.bucket}/stage`;
        const watched = new WatchedStaging(url, () => openRemoteBucket(url, s3.credentials));
        const destination = withCopyFromS3(
          redshiftOnPostgres({
            credentials: PG_URL,
            staging: { bucket: watched.bucket(), credentials: { aws_access_key_id: "S3RVER", aws_secret_access_key: CANARY } },
          }),
          (uri) => getBytes(client, uri),
        );
        const p = pipeline({
          pipelineName: "rs2",
          destination,
          datasetName,
          pipelinesDir: join(root, "two"),
          config: new ConfigResolver([]),
        });
        // The first client (the dashboard's, another pipeline's) stages a package of its own first.
        const first = await destination.connect({ datasetName, pipelineName: "other", workingDir: root });
        const hold = watched.holdNextUpload();
        const loading = p.run(
          resource(
            function* () {
              yield [
                { id: 1, amount: "12.5", at: "2024-02-29T10:00:00+02:00", lines: [{ n: 1 }, { n: 2 }] },
                { id: 2, amount: "-0.000000001", at: null, lines: [{ n: 3 }] },
              ];
            },
            { name: "inv", primaryKey: "id", writeDisposition: "merge", columns: { amount: { dataType: "decimal" } } },
          ),
        );
        await hold.started;
        await first.close();
        hold.release();
        await loading;
        const ds = p.dataset();
        expect(await ds.sql("SELECT id, amount::text AS amount, at FROM inv ORDER BY id").rows()).toEqual([
          { id: 1, amount: "12.500000000", at: new Date("2024-02-29T08:00:00Z") },
          { id: 2, amount: "-0.000000001", at: null },
        ]);
        expect(await ds.table("inv__lines").count()).toBe(3);
        expect(await ds.table("_dlt_loads").count()).toBe(1);
        // Removed after the commit, as the other warehouses do.
        expect(await listKeys(client, s3.bucket, `stage/${datasetName}/_staging/`)).toEqual([]);
        // The first client never used its bucket; the load's own was opened once and closed with its client.
        expect({ opened: watched.opened, closed: watched.closed }).toEqual({ opened: 1, closed: 1 });
      } finally {
        client.destroy();
        await s3.stop();
      }
    });

    it("an upload the bucket refuses is a load error naming the bucket, without the key", async () => {
      const s3 = await startS3();
      try {
        const datasetName = `rsu_${Math.random().toString(36).slice(2, 8)}`;
        schemas.push(datasetName);
        const p = pipeline({
          pipelineName: "rsu",
          destination: redshiftOnPostgres({ credentials: PG_URL, staging: s3Staging(s3, "no-such-bucket") }),
          datasetName,
          pipelinesDir: join(root, "u"),
          config: new ConfigResolver([]),
        });
        const err = (await p.run(resource(() => [[{ id: 1 }]], { name: "events" })).catch((e: unknown) => e)) as PipelineError;
        expect(err).toBeInstanceOf(PipelineError);
        const text = err.describe();
        expect(text).toContain("table events: uploading its load files to the staging bucket s3://no-such-bucket/stage failed");
        expect(text).not.toContain(CANARY);
      } finally {
        await s3.stop();
      }
    });
  },
);
