import type { ConfigResolver } from "../config/resolver.js";
import { ConfigError } from "../util/errors.js";
import type { LoadJob } from "./destination.js";
import type { Bucket } from "./filesystem/bucket.js";
import { filesystemCredentials, isRemoteBucketUrl, openRemoteBucket, schemeOf } from "./filesystem/remote-bucket.js";
import { FILESYSTEM_SPEC } from "./filesystem/spec.js";

/**
 * dlt's `staging = "filesystem"`: a warehouse's load files go to a bucket first and the warehouse
 * reads them from there (BigQuery load jobs from gs://, Snowflake COPY from s3://, gs:// or Azure,
 * Redshift COPY from s3://, Databricks COPY INTO from s3://, gs:// or Azure).
 * The bucket is `[destination.filesystem] bucket_url` with its credentials, as in dlt. A package's
 * files go under `<prefix>/<dataset>/_staging/<load_id>/<file>`: the same key on a rerun, so a
 * crashed load's upload is replaced, not added to. They are deleted once the package committed.
 *
 * A destination holds one `StagingBucket` (the configured bucket); each client it hands out takes
 * a `FileStager` of its own from it, with its own connection to the bucket, and closes that with
 * itself. Closing one client thus never closes the bucket under another (two pipelines on one
 * destination object, or the dashboard's session beside a load).
 */
export interface FileStager {
  /** The bucket URL (without credentials), for messages. */
  readonly display: string;
  /** Upload the files; their URIs in the same order (`gs://bucket/prefix/...`). */
  stage(datasetName: string, loadId: string, files: readonly StagedFile[]): Promise<string[]>;
  /** The package's folder under the bucket URL (`<dataset>/_staging/<load_id>`): where a named stage over the bucket finds its files. */
  folder(datasetName: string, loadId: string): string;
  /** The package committed: its staged files are no longer needed. */
  cleanup(datasetName: string, loadId: string): Promise<void>;
  /** Closes this stager's connection to the bucket (no other stager's). */
  close(): Promise<void>;
}

/**
 * A file to stage: the load file's name (its key in the package's folder) and the local bytes to
 * upload, which a warehouse may have rewritten for its reader (Snowflake drops JSON nulls first).
 */
export type StagedFile = Pick<LoadJob, "file" | "path">;

/** A remote bucket that can name an object by the URI a warehouse reads it by. */
export type UriBucket = Bucket & { uri(key: string): string };

/** `staging` as a pipeline option or `[pipeline] staging`: only dlt's "filesystem" exists. */
export type StagingName = "filesystem";

class BucketStager implements FileStager {
  private opened: Promise<UriBucket> | undefined;

  constructor(
    readonly display: string,
    private readonly open: () => Promise<UriBucket>,
  ) {}

  private bucket(): Promise<UriBucket> {
    this.opened ??= this.open();
    return this.opened;
  }

  folder(datasetName: string, loadId: string): string {
    return `${datasetName}/_staging/${loadId}`;
  }

  async stage(datasetName: string, loadId: string, files: readonly StagedFile[]): Promise<string[]> {
    const b = await this.bucket();
    const keys = files.map((j) => `${this.folder(datasetName, loadId)}/${j.file}`);
    // Uploaded again on a rerun: an object is replaced whole, so a half-finished earlier attempt is harmless.
    for (let i = 0; i < files.length; i += 4) {
      await Promise.all(files.slice(i, i + 4).map((j, k) => b.upload(keys[i + k]!, j.path)));
    }
    return keys.map((k) => b.uri(k));
  }

  async cleanup(datasetName: string, loadId: string): Promise<void> {
    const b = await this.bucket();
    await b.delete(await b.list(this.folder(datasetName, loadId)));
  }

  async close(): Promise<void> {
    const opened = this.opened;
    // Forgotten first: a use after close opens the bucket again rather than failing on a closed client.
    this.opened = undefined;
    if (opened) await (await opened).close();
  }
}

/** The configured staging bucket of a destination: where its clients' stagers upload to. */
export class StagingBucket {
  constructor(
    /** The bucket URL (without credentials), for messages. */
    readonly display: string,
    private readonly open: () => Promise<UriBucket>,
  ) {}

  /** A stager for one client, its bucket opened on first use and closed by the client's close(). */
  stager(): FileStager {
    return new BucketStager(this.display, this.open);
  }
}

/**
 * The staging bucket for `staging = "filesystem"` from `[destination.filesystem]`. `schemes` are the
 * bucket kinds the warehouse's load can read (BigQuery: `gs`); anything else is a config error naming the key.
 */
export function stagingFromConfig(config: ConfigResolver, warehouse: string, schemes: readonly string[]): StagingBucket {
  const c = config.resolve(FILESYSTEM_SPEC);
  const url = c.values.bucketUrl?.trim().replace(/\/+$/, "");
  const scheme = url ? schemeOf(url) : undefined;
  if (!url || !scheme || !schemes.includes(scheme)) {
    const want = schemes.map((s) => `${s}://bucket/prefix`).join(" or ");
    if (!url) {
      throw new ConfigError(`staging = "filesystem" for ${warehouse} needs [destination.filesystem] bucket_url`, {
        hint: `set DESTINATION__FILESYSTEM__BUCKET_URL=${want}`,
      });
    }
    throw c.error("bucketUrl", `${warehouse} reads staged files only from ${want}`);
  }
  if (!isRemoteBucketUrl(url)) {
    throw c.error("bucketUrl", "staging buckets are gs://, s3://, az:// or abfss://");
  }
  const creds = filesystemCredentials(c.values.credentials) ?? {};
  return new StagingBucket(url, () => openRemoteBucket(url, creds));
}
