import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigResolver } from "../../src/config/resolver.js";
import { EnvProvider } from "../../src/config/index.js";
import { BigQueryConnection, bigquery } from "../../src/destinations/bigquery/index.js";
import { openRemoteBucket } from "../../src/destinations/filesystem/remote-bucket.js";
import { stagingFromConfig } from "../../src/destinations/staging.js";
import { resource } from "../../src/extract/resource.js";
import { pipeline } from "../../src/pipeline/pipeline.js";
import {
  type BigQueryEmulator,
  type GcsEmulator,
  emulatorSkipReason,
  startBigQueryEmulator,
  startGcsEmulator,
} from "./emulators.js";
import { WatchedStaging } from "./staging-lifetime.js";

// staging = "filesystem" for BigQuery: files uploaded to gcp-storage-emulator, read by bqemulator's
// load jobs from gs:// URIs (bqemulator maps them to the GCS emulator's storage folder).
const skip = emulatorSkipReason();
let gcs: GcsEmulator | undefined;
let bq: BigQueryEmulator | undefined;
const root = mkdtempSync(join(tmpdir(), "bq-staging-"));
beforeAll(async () => {
  if (skip) return;
  gcs = await startGcsEmulator();
  bq = await startBigQueryEmulator({ gcsRoot: gcs.objectRoot });
}, 180_000);
afterAll(async () => {
  await bq?.stop();
  await gcs?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(skip !== undefined)(`bigquery with staging = "filesystem" on gs://${skip ? ` (skipped: ${skip})` : ""}`, () => {
  it("loads through the bucket and removes the staged files after the commit", async () => {
    const config = new ConfigResolver([
      new EnvProvider({
        DESTINATION__FILESYSTEM__BUCKET_URL: `gs://${gcs!.bucket}/stage`,
        DESTINATION__FILESYSTEM__CREDENTIALS__ENDPOINT_URL: gcs!.endpoint,
        DESTINATION__FILESYSTEM__CREDENTIALS__PROJECT_ID: "test-project",
      }),
    ]);
    const staging = stagingFromConfig(config, "bigquery", ["gs"]);
    const destination = bigquery({ credentials: { project_id: bq!.projectId }, apiEndpoint: bq!.endpoint, staging });
    const datasetName = `stg_${Math.random().toString(36).slice(2, 8)}`;
    const p = pipeline({
      pipelineName: "bq_stage",
      destination,
      datasetName,
      pipelinesDir: join(root, "p"),
      config: new ConfigResolver([]),
    });
    try {
      await p.run(
        resource(
          () => [
            [
              { id: 1, amount: "12.5", day: "2024-02-29", lines: [{ n: "a" }, { n: "b" }] },
              { id: 2, amount: "-0.000000001" },
            ],
          ],
          {
            name: "inv",
            primaryKey: "id",
            writeDisposition: "merge",
            columns: { amount: { dataType: "decimal" } },
          },
        ),
      );
      const rows = await p.dataset().sql("SELECT id, amount, day FROM inv ORDER BY id").rows();
      expect(rows).toEqual([
        { id: 1, amount: "12.500000000", day: "2024-02-29" },
        { id: 2, amount: "-0.000000001", day: null },
      ]);
      expect(await p.dataset().table("inv__lines").count()).toBe(2);
      const left = await fetch(`${gcs!.endpoint}/storage/v1/b/${gcs!.bucket}/o?prefix=stage/`).then(
        (r) => r.json() as Promise<{ items?: unknown[] }>,
      );
      expect(left.items ?? []).toEqual([]);
    } finally {
      const conn = await BigQueryConnection.open({ projectId: bq!.projectId, location: "US", apiEndpoint: bq!.endpoint });
      await conn.dropDataset(datasetName);
      await conn.dropDataset(`${datasetName}_staging`);
    }
  }, 300_000);

  it("two clients of one destination: closing the first leaves the second's bucket open mid-upload, and the second loads through it", async () => {
    const url = `gs://${gcs!.bucket}/stage`;
    const watched = new WatchedStaging(url, () =>
      openRemoteBucket(url, { endpoint_url: gcs!.endpoint, project_id: "test-project" }),
    );
    const destination = bigquery({
      credentials: { project_id: bq!.projectId },
      apiEndpoint: bq!.endpoint,
      staging: watched.bucket(),
    });
    const datasetName = `stg2_${Math.random().toString(36).slice(2, 8)}`;
    const p = pipeline({
      pipelineName: "bq_stage2",
      destination,
      datasetName,
      pipelinesDir: join(root, "two"),
      config: new ConfigResolver([]),
    });
    try {
      const first = await destination.connect({ datasetName, pipelineName: "other", workingDir: root });
      const hold = watched.holdNextUpload();
      const loading = p.run(resource(() => [[{ id: 1 }, { id: 2 }]], { name: "ev" }));
      await hold.started;
      await first.close();
      hold.release();
      await loading;
      expect(await p.dataset().table("ev").count()).toBe(2);
      expect({ opened: watched.opened, closed: watched.closed }).toEqual({ opened: 1, closed: 1 });
    } finally {
      const conn = await BigQueryConnection.open({ projectId: bq!.projectId, location: "US", apiEndpoint: bq!.endpoint });
      await conn.dropDataset(datasetName);
      await conn.dropDataset(`${datasetName}_staging`);
    }
  }, 300_000);
});
