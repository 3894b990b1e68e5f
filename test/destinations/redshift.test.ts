import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigResolver } from "../../src/config/resolver.js";
import { resource } from "../../src/extract/resource.js";
import { pipeline } from "../../src/pipeline/pipeline.js";
import { PipelineError } from "../../src/util/errors.js";
import { conformanceSuite } from "./conformance.js";
import { PG_URL, dropSchema, probePostgres } from "./pg-server.js";
import { redshiftOnPostgres } from "./redshift-on-postgres.js";
import { startS3 } from "./s3-server.js";

// The Redshift dialect's SQL on the local Postgres server (test mode, see redshift-on-postgres.ts).
const unreachable = await probePostgres();

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

    it("uploads the package's files under the dataset's staging prefix, then the server runs COPY FROM s3; a failed COPY commits nothing and never shows the key", async () => {
      const s3 = await startS3();
      try {
        const datasetName = `rss_${Math.random().toString(36).slice(2, 8)}`;
        schemas.push(datasetName);
        const credentials = { ...s3.credentials, aws_secret_access_key: "staging-secret-canary" };
        const p = pipeline({
          pipelineName: "rss",
          destination: redshiftOnPostgres({
            credentials: PG_URL,
            staging: { bucketUrl: `s3://${s3.bucket}/stage`, credentials },
          }),
          datasetName,
          pipelinesDir: join(root, "p"),
          config: new ConfigResolver([]),
        });
        const err = (await p
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
          new RegExp(`table events: Redshift COPY from s3://${s3.bucket}/stage/${datasetName}/_staging/events/[a-z0-9]+/ failed`),
        );
        expect(text).not.toContain("staging-secret-canary");
        const client = new S3Client({
          region: "us-east-1",
          endpoint: s3.credentials.endpoint_url,
          forcePathStyle: true,
          credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
        });
        const listed = await client.send(
          new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `stage/${datasetName}/_staging/` }),
        );
        client.destroy();
        expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([
          expect.stringMatching(/\/events\/[a-z0-9]+\/events\.[^/]+\.jsonl\.gz$/),
        ]);
        expect(await p.dataset().tables()).not.toContain("_dlt_loads");
      } finally {
        await s3.stop();
      }
    });
  },
);
