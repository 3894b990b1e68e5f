import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Bucket as GcsSdkBucket } from "@google-cloud/storage";
import { reveal } from "../../config/secret.js";
import { ConfigError, PipelineError } from "../../util/errors.js";
import { importOptional } from "../optional-import.js";
import type { Bucket, GcsCredentials } from "./bucket.js";

type StorageModule = typeof import("@google-cloud/storage");

/** Files above this go up as a resumable upload (chunks, retried); smaller ones in one request. */
const RESUMABLE_FROM = 8 << 20;

/**
 * A Google Cloud Storage bucket and key prefix through the official SDK. An object is visible only
 * once its upload has finished (single request or the last chunk of a resumable upload), so
 * readers never see a partial file.
 */
export class GcsBucket implements Bucket {
  readonly display: string;

  private constructor(
    private readonly bucket: GcsSdkBucket,
    readonly bucketName: string,
    private readonly prefix: string,
  ) {
    this.display = `gs://${bucketName}${prefix ? `/${prefix}` : ""}`;
  }

  static async open(url: string, creds: GcsCredentials): Promise<GcsBucket> {
    const m = /^gs:\/\/([^/]+)\/?(.*)$/.exec(url);
    if (!m)
      throw new ConfigError(`bucket_url ${url} is not gs://bucket[/prefix]`, { hint: "write it as gs://my-bucket/some/prefix" });
    const mod = await importOptional<StorageModule>("@google-cloud/storage", "the filesystem destination on gs://");
    const Ctor =
      (mod.Storage as typeof mod.Storage | undefined) ?? (mod as unknown as { default: StorageModule }).default.Storage;
    const key = creds.private_key === undefined ? undefined : reveal(creds.private_key);
    const storage = new Ctor({
      ...(creds.project_id ? { projectId: creds.project_id } : {}),
      ...(creds.endpoint_url ? { apiEndpoint: creds.endpoint_url.replace(/\/+$/, "") } : {}),
      ...(key && creds.client_email ? { credentials: { client_email: creds.client_email, private_key: key } } : {}),
    });
    return new GcsBucket(storage.bucket(m[1]!), m[1]!, m[2]!.replace(/\/+$/, ""));
  }

  /** The object name of `key` in the bucket (prefix included). */
  objectName(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  /** `gs://bucket/<prefix>/<key>`: what a warehouse's load job reads. */
  uri(key: string): string {
    return `gs://${this.bucketName}/${this.objectName(key)}`;
  }

  private fail(what: string, key: string, err: unknown): PipelineError {
    const detail = err instanceof Error ? err.message : String(err);
    return new PipelineError(`${what} ${this.display}/${key} failed: ${detail}`, {
      cause: err,
      hint: "check bucket_url, the endpoint and [destination.filesystem.credentials]",
    });
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const [files] = await this.bucket.getFiles({ prefix: this.objectName(prefix), autoPaginate: true });
      return files.map((f) => (this.prefix ? f.name.slice(this.prefix.length + 1) : f.name));
    } catch (err) {
      throw this.fail("listing", prefix, err);
    }
  }

  async readText(key: string): Promise<string> {
    try {
      const [buf] = await this.bucket.file(this.objectName(key)).download();
      return buf.toString("utf8");
    } catch (err) {
      throw this.fail("reading", key, err);
    }
  }

  async writeText(key: string, text: string): Promise<void> {
    try {
      await this.bucket.file(this.objectName(key)).save(text, { resumable: false, contentType: "application/octet-stream" });
    } catch (err) {
      throw this.fail("writing", key, err);
    }
  }

  async upload(key: string, path: string): Promise<void> {
    try {
      const { size } = await import("node:fs/promises").then((fs) => fs.stat(path));
      await this.bucket.upload(path, {
        destination: this.objectName(key),
        resumable: size >= RESUMABLE_FROM,
        contentType: "application/octet-stream",
      });
    } catch (err) {
      throw this.fail("uploading", key, err);
    }
  }

  async localPath(key: string, scratchDir: string): Promise<string> {
    const local = join(scratchDir, "gcs", ...key.split("/"));
    mkdirSync(dirname(local), { recursive: true });
    try {
      await this.bucket.file(this.objectName(key)).download({ destination: local });
    } catch (err) {
      throw this.fail("downloading", key, err);
    }
    return local;
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 16) {
      const batch = keys.slice(i, i + 16);
      try {
        await Promise.all(batch.map((k) => this.bucket.file(this.objectName(k)).delete({ ignoreNotFound: true })));
      } catch (err) {
        throw this.fail("deleting", batch[0] ?? "", err);
      }
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
