import { createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { Secret, reveal } from "../../config/secret.js";
import type { Column, Table } from "../../schema/types.js";
import { stripNulDeep, toNaiveUtc } from "../../writers/copy-text.js";
import type { LoadJob } from "../destination.js";
import type { S3Credentials } from "../filesystem/bucket.js";
import { LoadError } from "../sql/job-client.js";
import type { FileStager, StagedFile } from "../staging.js";
import { loadRows } from "./load-rows.js";

/** What COPY needs to read the staging bucket. */
export interface S3StagingAuth {
  /** `arn:aws:iam::123:role/x`: Redshift assumes the role (dlt's `staging_iam_role`). */
  iamRole?: string | undefined;
  credentials?: S3Credentials | undefined;
}

function quoteString(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** Why COPY cannot read the bucket with `auth` (checked when the destination is made, and again here), or undefined. */
export function missingStagingAuth(auth: S3StagingAuth): { message: string; hint: string } | undefined {
  const c = auth.credentials;
  if (auth.iamRole || (c?.aws_access_key_id && c.aws_secret_access_key !== undefined)) return undefined;
  return {
    message: "Redshift staging has neither staging_iam_role nor the staging bucket's access keys",
    hint: "set [destination.redshift] staging_iam_role, or aws_access_key_id and aws_secret_access_key under [destination.filesystem.credentials]",
  };
}

/** `IAM_ROLE '...'` or the bucket's keys, as Redshift's COPY takes them (secrets stay Secrets until here). */
function authorization(auth: S3StagingAuth): string {
  const missing = missingStagingAuth(auth);
  if (missing) throw new LoadError(missing.message, { hint: missing.hint });
  if (auth.iamRole) return `IAM_ROLE ${quoteString(auth.iamRole)}`;
  // Both keys are there (missingStagingAuth).
  const c = auth.credentials!;
  // Secret.from registers a plain string for scrubbing, should an error ever echo the statement.
  const secret = reveal(Secret.from(c.aws_secret_access_key!));
  const token = c.aws_session_token === undefined ? undefined : reveal(Secret.from(c.aws_session_token));
  return [
    `ACCESS_KEY_ID ${quoteString(c.aws_access_key_id!)}`,
    `SECRET_ACCESS_KEY ${quoteString(secret)}`,
    ...(token ? [`SESSION_TOKEN ${quoteString(token)}`] : []),
  ].join(" ");
}

/**
 * `COPY <target> (<columns>) FROM 's3://.../<file>.manifest' ... MANIFEST FORMAT AS JSON 'auto'`,
 * dlt's Redshift COPY for jsonl: JSON keys match the (lower-case) column names, dates and times in
 * ISO form, gzip. The manifest names exactly the table's files (a package's files share one folder
 * in the bucket, staging.ts). The statement carries the keys when no IAM role is set: it is never
 * logged or put in an error.
 */
export function copyFromS3Sql(target: string, columns: string[], manifestUri: string, auth: S3StagingAuth): string {
  const region = auth.credentials?.region_name;
  return [
    `COPY ${target} (${columns.join(", ")})`,
    `FROM ${quoteString(manifestUri)}`,
    authorization(auth),
    ...(region ? [`REGION ${quoteString(region)}`] : []),
    "MANIFEST",
    "FORMAT AS JSON 'auto'",
    "DATEFORMAT 'auto' TIMEFORMAT 'auto'",
    "GZIP",
  ].join(" ");
}

/**
 * A load file as Redshift's COPY reads it: NUL removed from text and json (VARCHAR cannot hold it),
 * timestamps of naive columns at their UTC wall time (COPY would drop the offset), gzip. Binary
 * columns are refused, as dlt does: COPY cannot load VARBYTE from JSON.
 */
export async function writeCopyFile(table: Table, job: LoadJob, out: string, onNul: (n: number) => void): Promise<void> {
  const cols = Object.values(table.columns);
  const binary = cols.find((c) => c.dataType === "binary");
  if (binary) {
    throw new LoadError(`table ${table.name}: column ${binary.name} is binary, which Redshift's COPY cannot load from JSON`, {
      hint: "load this table without staging (unset [destination.redshift] staging: multi-row INSERTs take binary)",
    });
  }
  const naive = cols.filter((c: Column) => c.dataType === "timestamp" && c.timezone === false).map((c) => c.name);
  const stripped = new Set(cols.filter((c) => c.dataType === "json" || c.dataType === "text").map((c) => c.name));
  async function* lines() {
    for await (const row of loadRows(table.name, job)) {
      for (const k of naive) if (typeof row[k] === "string") row[k] = toNaiveUtc(row[k]);
      for (const k of stripped) if (row[k] !== undefined && row[k] !== null) row[k] = stripNulDeep(row[k], onNul);
      yield JSON.stringify(row) + "\n";
    }
  }
  await pipeline(Readable.from(lines()), createGzip(), createWriteStream(out));
}

/** Where one client's COPYs read from: its own stager on the staging bucket, and how COPY gets in. */
export interface RedshiftStaging {
  stager: FileStager;
  auth: S3StagingAuth;
  datasetName: string;
}

const PENDING = "the package stays pending and nothing of it was committed";

/**
 * One table's load files into `target` through the staging bucket: each rewritten for COPY
 * (writeCopyFile) and staged under the package's folder as `<load file>.gz`, then a manifest
 * naming exactly them, then one COPY reading the manifest. The same keys on a rerun: a crashed
 * load's objects are replaced, not added to; the client deletes the folder after the commit.
 */
export async function copyViaStaging(
  exec: (sql: string) => Promise<void>,
  staging: RedshiftStaging,
  loadId: string,
  target: string,
  quotedColumns: string[],
  table: Table,
  jobs: LoadJob[],
  onNul: (n: number) => void,
): Promise<void> {
  const { stager, datasetName } = staging;
  const scratch = await mkdtemp(join(tmpdir(), "redshift-stage-"));
  let manifestUri: string;
  try {
    const files: StagedFile[] = [];
    for (const job of jobs) {
      const path = join(scratch, `${job.file}.gz`);
      await writeCopyFile(table, job, path, onNul);
      files.push({ file: `${job.file}.gz`, path });
    }
    try {
      const uris = await stager.stage(datasetName, loadId, files);
      // `mandatory`: COPY fails when an object is missing instead of loading fewer rows.
      const manifest = { file: `${jobs[0]!.file}.manifest`, path: join(scratch, "manifest.json") };
      await writeFile(manifest.path, JSON.stringify({ entries: uris.map((url) => ({ url, mandatory: true })) }));
      [manifestUri] = (await stager.stage(datasetName, loadId, [manifest])) as [string];
    } catch (err) {
      throw new LoadError(
        `table ${table.name}: uploading its load files to the staging bucket ${stager.display} failed: ${(err as Error).message}`,
        {
          cause: err,
          hint: `${PENDING}; check [destination.filesystem] bucket_url and its credentials, then run again`,
        },
      );
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  try {
    await exec(copyFromS3Sql(target, quotedColumns, manifestUri, staging.auth));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new LoadError(`table ${table.name}: Redshift COPY from ${manifestUri} failed: ${detail}`, {
      cause: err,
      hint: `${PENDING}; check stl_load_errors on the cluster for the row, then run again`,
    });
  }
}
