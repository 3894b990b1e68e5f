import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { Secret, reveal } from "../../config/secret.js";
import type { Column, Table } from "../../schema/types.js";
import { stripNulDeep, toNaiveUtc } from "../../writers/copy-text.js";
import type { LoadJob } from "../destination.js";
import type { S3Credentials } from "../filesystem/bucket.js";
import { LoadError } from "../sql/job-client.js";
import { loadRows } from "./load-rows.js";

/** What COPY needs to read the staging bucket. */
export interface S3StagingAuth {
  /** `arn:aws:iam::123:role/x`: Redshift assumes the role (dlt's `staging_iam_role`). */
  iamRole?: string | undefined;
  credentials?: S3Credentials | undefined;
}

/** The part of a bucket staging needs (the filesystem destination's S3Bucket fits). */
export interface StagingBucket {
  readonly display: string;
  upload(key: string, path: string): Promise<void>;
}

function quoteString(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** `IAM_ROLE '...'` or the bucket's keys, as Redshift's COPY takes them (secrets stay Secrets until here). */
function authorization(auth: S3StagingAuth): string {
  if (auth.iamRole) return `IAM_ROLE ${quoteString(auth.iamRole)}`;
  const c = auth.credentials;
  if (!c?.aws_access_key_id || c.aws_secret_access_key === undefined) {
    throw new LoadError("Redshift staging has neither staging_iam_role nor the staging bucket's access keys", {
      hint: "set [destination.redshift] staging_iam_role, or aws_access_key_id and aws_secret_access_key under [destination.filesystem.credentials]",
    });
  }
  // Secret.from registers a plain string for scrubbing, should an error ever echo the statement.
  const secret = reveal(Secret.from(c.aws_secret_access_key));
  const token = c.aws_session_token === undefined ? undefined : reveal(Secret.from(c.aws_session_token));
  return [
    `ACCESS_KEY_ID ${quoteString(c.aws_access_key_id)}`,
    `SECRET_ACCESS_KEY ${quoteString(secret)}`,
    ...(token ? [`SESSION_TOKEN ${quoteString(token)}`] : []),
  ].join(" ");
}

/**
 * `COPY <target> (<columns>) FROM 's3://...' ... FORMAT AS JSON 'auto'`, dlt's Redshift COPY for
 * jsonl: JSON keys match the (lower-case) column names, dates and times in ISO form, gzip. The
 * statement carries the keys when no IAM role is set: it is never logged or put in an error.
 */
export function copyFromS3Sql(target: string, columns: string[], s3Prefix: string, auth: S3StagingAuth): string {
  const region = auth.credentials?.region_name;
  return [
    `COPY ${target} (${columns.join(", ")})`,
    `FROM ${quoteString(s3Prefix)}`,
    authorization(auth),
    ...(region ? [`REGION ${quoteString(region)}`] : []),
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

/** Upload every job file of `table` under `prefix/` and COPY them into `target` in one statement. */
export async function copyViaS3(
  exec: (sql: string) => Promise<void>,
  bucket: StagingBucket,
  auth: S3StagingAuth,
  target: string,
  quotedColumns: string[],
  table: Table,
  jobs: LoadJob[],
  prefix: string,
  onNul: (n: number) => void,
): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "redshift-stage-"));
  try {
    for (const job of jobs) {
      const local = join(scratch, `${basename(job.path)}.gz`);
      await writeCopyFile(table, job, local, onNul);
      await bucket.upload(`${prefix}/${basename(job.path)}.gz`, local);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  // A folder prefix (trailing slash): COPY reads every object under it, only this table's files.
  const s3 = `${bucket.display}/${prefix}/`;
  try {
    await exec(copyFromS3Sql(target, quotedColumns, s3, auth));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new LoadError(`table ${table.name}: Redshift COPY from ${s3} failed: ${detail}`, {
      cause: err,
      hint: "the package stays pending and nothing of it was committed; check stl_load_errors on the cluster for the row, then run again",
    });
  }
}
