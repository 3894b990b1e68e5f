import type { Storage } from "@google-cloud/storage";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import pg from "pg";
import { BigQueryConnection, bigquery } from "../src/destinations/bigquery/index.js";
import { filesystem } from "../src/destinations/filesystem/index.js";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from "../test/destinations/azurite-server.js";
import { emulatorSkipReason, startBigQueryEmulator, startGcsEmulator } from "../test/destinations/emulators.js";
import { redshiftOnPostgres } from "../test/destinations/redshift-on-postgres.js";
import { type BenchResult, fmt, time, withTempDir } from "./lib.js";
import { bareFile, flat, pipelineLoad } from "./warehouse-rows.js";
import { databricksBench } from "./warehouses-databricks.js";
import { snowflakeBench } from "./warehouses-snowflake.js";

/**
 * Warehouses with a local stand-in (issue 10): the pipeline's load step against a bare load of the
 * same rows with the vendor SDK, in the same run. Redshift: its SQL on the local Postgres (the
 * tests' stand-in engine), multi-row INSERTs of at most 4 MB against the same INSERTs built and
 * sent by bare `pg`. Azure: the filesystem destination on Azurite against one `uploadFile` of the
 * same rows as a JSONL file with @azure/storage-blob. BigQuery: the destination on bqemulator (load
 * jobs into staging tables, MERGE into the dataset, bookkeeping) against one load job of the same
 * rows as one NDJSON file into a table; GCS: the filesystem destination on gcp-storage-emulator
 * against one `bucket.upload` of that file with @google-cloud/storage. Both emulators are Python
 * processes from the test venv; BENCH_WH_GOOGLE_ROWS sizes them apart (default: BENCH_WH_ROWS).
 * Snowflake on fakesnow and Databricks on Spark: warehouses-snowflake.ts, warehouses-databricks.ts.
 */
const PG_URL = process.env.PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const ROWS = Number(process.env.BENCH_WH_ROWS ?? 1_000_000);
const GOOGLE_ROWS = Number(process.env.BENCH_WH_GOOGLE_ROWS ?? ROWS);

const q = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

/** Bare pg: the same rows as multi-row INSERT statements of at most 4 MB, built and sent. */
async function bareInserts(client: pg.Client, table: string): Promise<void> {
  const head = `INSERT INTO ${table} (id, name, email, amount, quantity, active, created_at, _dlt_load_id, _dlt_id) VALUES\n`;
  let parts: string[] = [];
  let size = head.length;
  for (let i = 0; i < ROWS; i++) {
    const r = flat(i);
    const t = `(${r.id}, ${q(r.name)}, ${q(r.email)}, ${r.amount}, ${r.quantity}, ${r.active ? "TRUE" : "FALSE"}, ${q(r.created_at)}, '1.0', 'id${i}')`;
    if (size + t.length + 2 > 4 << 20) {
      await client.query(head + parts.join(",\n"));
      parts = [];
      size = head.length;
    }
    parts.push(t);
    size += t.length + 2;
  }
  if (parts.length > 0) await client.query(head + parts.join(",\n"));
}

async function redshift(dir: string): Promise<string[]> {
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (err) {
    return [`| Redshift on Postgres | not measured: no Postgres at ${PG_URL} (${(err as Error).message}) | | | |`];
  }
  const schema = `bench_rs_${process.pid}`;
  try {
    const ours = await pipelineLoad(join(dir, "rs"), schema, redshiftOnPostgres({ credentials: PG_URL }), ROWS);
    await admin.query("SET standard_conforming_strings = off");
    await admin.query(
      `CREATE TABLE ${schema}.bare (id bigint, name varchar(65535), email varchar(65535), amount numeric(38,9), quantity bigint, active boolean, created_at timestamptz, _dlt_load_id varchar(65535) NOT NULL, _dlt_id varchar(65535) NOT NULL)`,
    );
    const bare = (await time(() => bareInserts(admin, `${schema}.bare`))).seconds;
    return [
      `| Redshift on Postgres: pipeline load step (INSERT batches, dispositions, bookkeeping, 1 transaction) | ${fmt(ROWS)} | ${fmt(ours, 2)} | ${fmt(ROWS / ours)} | ${fmt(ours / bare, 2)} |`,
      `| Redshift on Postgres: bare multi-row INSERTs of 4 MB through \`pg\` | ${fmt(ROWS)} | ${fmt(bare, 2)} | ${fmt(ROWS / bare)} | 1.00 |`,
    ];
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  }
}

async function azure(dir: string): Promise<string[]> {
  const az = await startAzurite();
  try {
    const ours = await pipelineLoad(
      join(dir, "az"),
      "bench_az",
      filesystem({ bucketUrl: `az://${az.container}/pipeline`, credentials: az.credentials }),
      ROWS,
    );
    const file = await bareFile(dir, ROWS);
    const service = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    const blob = service.getContainerClient(az.container).getBlockBlobClient("bare/customers.jsonl");
    const bare = (await time(() => blob.uploadFile(file, { blockSize: 4 << 20, maxSingleShotSize: 4 << 20, concurrency: 4 })))
      .seconds;
    return [
      `| Azure (Azurite): filesystem load step (jsonl files as block blobs, bookkeeping, \`_dlt_loads\` last) | ${fmt(ROWS)} | ${fmt(ours, 2)} | ${fmt(ROWS / ours)} | ${fmt(ours / bare, 2)} |`,
      `| Azure (Azurite): bare \`uploadFile\` of the same rows as one JSONL file (@azure/storage-blob) | ${fmt(ROWS)} | ${fmt(bare, 2)} | ${fmt(ROWS / bare)} | 1.00 |`,
    ];
  } finally {
    await az.stop();
  }
}

async function bigQuery(dir: string): Promise<string[]> {
  const emu = await startBigQueryEmulator();
  try {
    const destination = bigquery({ credentials: { project_id: emu.projectId }, apiEndpoint: emu.endpoint });
    const ours = await pipelineLoad(join(dir, "bq"), "bench_bq", destination, GOOGLE_ROWS);
    const file = await bareFile(dir, GOOGLE_ROWS);
    // The SDK's load job through the destination's connection: the bare SDK cannot upload to an
    // endpoint without credentials (connection.ts gives such requests their missing headers).
    const conn = await BigQueryConnection.open({ projectId: emu.projectId, location: "US", apiEndpoint: emu.endpoint });
    await conn.execute("CREATE SCHEMA IF NOT EXISTS `bench_bare`");
    await conn.execute(
      "CREATE TABLE `bench_bare`.`customers` (id INT64, name STRING, email STRING, amount NUMERIC(38, 9), quantity INT64, active BOOL, created_at TIMESTAMP, _dlt_load_id STRING NOT NULL, _dlt_id STRING NOT NULL)",
    );
    const bare = (await time(() => conn.loadFile("bench_bare", "customers", file))).seconds;
    return [
      `| BigQuery (bqemulator): pipeline load step (load jobs into staging, MERGE, bookkeeping, \`_dlt_loads\` last) | ${fmt(GOOGLE_ROWS)} | ${fmt(ours, 2)} | ${fmt(GOOGLE_ROWS / ours)} | ${fmt(ours / bare, 2)} |`,
      `| BigQuery (bqemulator): bare load job of the same rows as one NDJSON file (@google-cloud/bigquery) | ${fmt(GOOGLE_ROWS)} | ${fmt(bare, 2)} | ${fmt(GOOGLE_ROWS / bare)} | 1.00 |`,
    ];
  } finally {
    await emu.stop();
  }
}

async function gcs(dir: string): Promise<string[]> {
  const emu = await startGcsEmulator();
  try {
    const ours = await pipelineLoad(
      join(dir, "gcs"),
      "bench_gcs",
      filesystem({
        bucketUrl: `gs://${emu.bucket}/pipeline`,
        credentials: { project_id: "bench", endpoint_url: emu.endpoint },
      }),
      GOOGLE_ROWS,
    );
    const file = await bareFile(dir, GOOGLE_ROWS);
    const { Storage: Ctor } = await import("@google-cloud/storage");
    const storage: Storage = new Ctor({ projectId: "bench", apiEndpoint: emu.endpoint });
    const bare = (
      await time(() => storage.bucket(emu.bucket).upload(file, { destination: "bare/customers.jsonl", resumable: false }))
    ).seconds;
    return [
      `| GCS (gcp-storage-emulator): filesystem load step (jsonl files as objects, bookkeeping, \`_dlt_loads\` last) | ${fmt(GOOGLE_ROWS)} | ${fmt(ours, 2)} | ${fmt(GOOGLE_ROWS / ours)} | ${fmt(ours / bare, 2)} |`,
      `| GCS (gcp-storage-emulator): bare \`upload\` of the same rows as one JSONL file (@google-cloud/storage) | ${fmt(GOOGLE_ROWS)} | ${fmt(bare, 2)} | ${fmt(GOOGLE_ROWS / bare)} | 1.00 |`,
    ];
  } finally {
    await emu.stop();
  }
}

/** The Google rows, or one line saying why they are not measured here. */
async function google(dir: string): Promise<string[]> {
  const skip = emulatorSkipReason();
  if (skip) return [`| BigQuery and GCS emulators | not measured: ${skip} | | | |`];
  return [...(await bigQuery(dir)), ...(await gcs(dir))];
}

export default async function (): Promise<BenchResult> {
  return withTempDir(async (dir) => {
    const start = loadavg()[0]!;
    const fixed = [...(await redshift(dir)), ...(await azure(dir)), ...(await google(dir))];
    const snow = await snowflakeBench(dir, ROWS);
    const dbx = await databricksBench(dir, ROWS);
    const end = loadavg()[0]!;
    return {
      title:
        "Warehouses with a local stand-in: Redshift on Postgres, filesystem on Azurite, BigQuery and GCS on their emulators, Snowflake on fakesnow, Databricks on Spark (issue 10)",
      markdown: [
        "| load | rows | seconds | rows/s | × bare |",
        "| --- | ---: | ---: | ---: | ---: |",
        ...fixed,
        ...snow.lines,
        ...dbx.lines,
        "",
        "The load step only (extract and normalize are the same for every destination and measured elsewhere). Emulators are not the services: these ratios say what the pipeline adds over the SDK on the same target, not how fast Redshift or Azure are.",
        "",
        "GCS: gcp-storage-emulator slows down more than linearly with the size of one request (the bare row is one object in one non-resumable upload; the destination uploads the package's rotated files), so its ratio says that about the emulator, not that the destination beats the SDK.",
        ...[snow.note, dbx.note].flatMap((note) => (note ? ["", note] : [])),
        "",
        `Load average (1 min) at the start and at the end of this run: ${fmt(start, 1)} and ${fmt(end, 1)}, on ${cpus().length} cores shared with other work.`,
      ].join("\n"),
    };
  });
}
