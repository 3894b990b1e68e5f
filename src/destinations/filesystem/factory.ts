import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../util/errors.js";
import type { ConfigResolver } from "../../config/resolver.js";
import {
  type Capabilities,
  CapabilitiesBase,
  type ConnectOptions,
  type Destination,
  type DestinationClient,
} from "../destination.js";
import type { QueryOptions, QuerySession } from "../query-session.js";
import type { Bucket } from "./bucket.js";
import { FilesystemClient, type ObjectCache } from "./client.js";
import type { DataFormat } from "./layout.js";
import { LocalBucket } from "./local-bucket.js";
import { type FilesystemCredentials, filesystemCredentials, isRemoteBucketUrl, openRemoteBucket } from "./remote-bucket.js";
import { FILESYSTEM_SPEC } from "./spec.js";

/** What the destination is made from, as config gives it (strings, checked when it is made). */
export interface FilesystemSettings {
  bucketUrl?: string | undefined;
  format?: string | undefined;
  compression?: string | undefined;
  credentials?: FilesystemCredentials | undefined;
}

export interface FilesystemOptions extends FilesystemSettings {
  /** A local folder, `file:///abs/path`, `s3://bucket/prefix` or `gs://bucket/prefix`. */
  bucketUrl: string;
  /** Data file format; default jsonl. */
  format?: "jsonl" | "parquet";
  /** `gzip` compresses jsonl files (`.jsonl.gz`); parquet is always zstd-compressed inside. */
  compression?: "gzip" | "none";
  /** For `s3://`: keys, region and a custom endpoint; for `az://`/`abfss://`: dlt's azure_* keys; for `gs://`: a service account and a custom endpoint. */
  credentials?: FilesystemCredentials;
}

class FilesystemCapabilities extends CapabilitiesBase {
  // Table names are folder names: keep well under the usual 255-byte file name limit.
  override readonly maxIdentifierLength = 200;
}

export const FILESYSTEM_CAPABILITIES: Capabilities = new FilesystemCapabilities();

/** A temp folder for downloads from remote buckets, removed when the process exits. */
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sage-pipeline-bucket-"));
  process.once("exit", () => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

const HINT =
  "set bucket_url under [destination.filesystem] (a folder, file:///path, s3://bucket/prefix, gs://bucket/prefix or az://container/prefix), e.g. DESTINATION__FILESYSTEM__BUCKET_URL=./data";

/** Azure Blob Storage URLs, as dlt (adlfs) takes them. */
export class FilesystemDestination implements Destination {
  readonly name = "filesystem";
  readonly capabilities = FILESYSTEM_CAPABILITIES;
  private readonly url: string;
  private readonly format: DataFormat;
  private readonly cache: ObjectCache = {
    markers: new Map(),
    downloads: new Map(),
    dir: () => (this.downloadDir ??= scratchDir()),
  };
  private downloadDir: string | undefined;

  constructor(private readonly options: FilesystemSettings) {
    const raw = options.bucketUrl?.trim();
    if (!raw) throw new ConfigError("the filesystem destination has no bucket_url", { hint: HINT });
    if (isRemoteBucketUrl(raw)) this.url = raw.replace(/\/+$/, "");
    else if (raw.startsWith("file://")) this.url = fileURLToPath(raw);
    else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
      throw new ConfigError(`bucket_url ${raw}: only local folders, file://, s3://, gs://, az:// and abfss:// are supported`, {
        hint: HINT,
      });
    } else this.url = resolve(raw);
    const format = options.format ?? "jsonl";
    if (format !== "jsonl" && format !== "parquet") {
      throw new ConfigError(`filesystem format ${JSON.stringify(format)} is not supported`, {
        hint: 'use format = "jsonl" or "parquet"',
      });
    }
    const compression = options.compression ?? "none";
    if (compression !== "gzip" && compression !== "none") {
      throw new ConfigError(`filesystem compression ${JSON.stringify(compression)} is not supported`, {
        hint: 'use compression = "gzip" or "none"',
      });
    }
    this.format = format === "jsonl" && compression === "gzip" ? "jsonl.gz" : format;
  }

  private async bucket(): Promise<Bucket> {
    return isRemoteBucketUrl(this.url) ? openRemoteBucket(this.url, this.options.credentials ?? {}) : new LocalBucket(this.url);
  }

  /** The bucket URL without credentials: `file:///abs/path`, `s3://bucket/prefix` or `gs://bucket/prefix`. */
  location(_o?: ConnectOptions): string {
    return isRemoteBucketUrl(this.url) ? this.url : new LocalBucket(this.url).display;
  }

  private checkDatasetName(o: ConnectOptions): void {
    if (/[/\\]/.test(o.datasetName) || o.datasetName.startsWith(".")) {
      throw new ConfigError(`dataset name ${JSON.stringify(o.datasetName)} cannot be a folder name`, {
        hint: "use letters, digits and underscores",
      });
    }
  }

  async connect(o: ConnectOptions): Promise<DestinationClient> {
    this.checkDatasetName(o);
    return this.client(o);
  }

  private async client(o: ConnectOptions): Promise<FilesystemClient> {
    return new FilesystemClient(o.datasetName, await this.bucket(), this.format, this.cache);
  }

  /** An in-memory DuckDB over the dataset's committed files, allowed to read only those. */
  async openQuerySession(o: QueryOptions): Promise<QuerySession> {
    this.checkDatasetName(o);
    const client = await this.client(o);
    try {
      return await client.openQuerySession(o);
    } catch (err) {
      await client.close();
      throw err;
    }
  }
}

/** Files in a folder or bucket: `pipeline({ destination: filesystem({ bucketUrl: "./data", format: "parquet" }) })`. */
export function filesystem(options: FilesystemOptions): FilesystemDestination {
  return new FilesystemDestination(options);
}

/** `[destination.filesystem]` (FILESYSTEM_SPEC). */
export function destinationFromConfig(config: ConfigResolver): FilesystemDestination {
  const { bucketUrl, format, compression, credentials } = config.resolve(FILESYSTEM_SPEC).values;
  return new FilesystemDestination({ bucketUrl, format, compression, credentials: filesystemCredentials(credentials) });
}
