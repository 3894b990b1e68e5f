import { createReadStream, createWriteStream, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import { reveal } from "../../config/secret.js";
import { ConfigError, PipelineError } from "../../util/errors.js";
import type { Bucket, S3Credentials } from "./bucket.js";

type S3Module = typeof import("@aws-sdk/client-s3");
type StorageModule = typeof import("@aws-sdk/lib-storage");

/**
 * An S3 (or S3-compatible) bucket and key prefix. Objects are written whole (PutObject, or a
 * multipart Upload that completes atomically), so readers never see a partial file.
 */
export class S3Bucket implements Bucket {
  readonly display: string;

  private constructor(
    private readonly client: S3Client,
    private readonly s3: S3Module,
    private readonly storage: StorageModule,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {
    this.display = `s3://${bucket}${prefix ? `/${prefix}` : ""}`;
  }

  static async open(url: string, creds: S3Credentials): Promise<S3Bucket> {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
    if (!m)
      throw new ConfigError(`bucket_url ${url} is not s3://bucket[/prefix]`, { hint: "write it as s3://my-bucket/some/prefix" });
    // The AWS SDK loads on first use: local and DuckDB users never pay for it.
    const [s3, storage] = await Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/lib-storage")]);
    const secret = creds.aws_secret_access_key === undefined ? undefined : reveal(creds.aws_secret_access_key);
    const token = creds.aws_session_token === undefined ? undefined : reveal(creds.aws_session_token);
    const client = new s3.S3Client({
      region: creds.region_name ?? "us-east-1",
      ...(creds.endpoint_url ? { endpoint: creds.endpoint_url, forcePathStyle: true } : {}),
      ...(creds.aws_access_key_id && secret
        ? {
            credentials: {
              accessKeyId: creds.aws_access_key_id,
              secretAccessKey: secret,
              ...(token ? { sessionToken: token } : {}),
            },
          }
        : {}),
    });
    return new S3Bucket(client, s3, storage, m[1]!, m[2]!.replace(/\/+$/, ""));
  }

  private key(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  /** `s3://bucket/<prefix>/<key>`: what a warehouse's COPY reads (staging = "filesystem"). */
  uri(key: string): string {
    return `s3://${this.bucket}/${this.key(key)}`;
  }

  private fail(what: string, key: string, err: unknown): PipelineError {
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return new PipelineError(`${what} ${this.display}/${key} failed: ${detail}`, {
      cause: err,
      hint: "check bucket_url, the endpoint and [destination.filesystem.credentials]",
    });
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    const base = this.key(prefix);
    try {
      do {
        const r = await this.client.send(
          new this.s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, ContinuationToken: token }),
        );
        for (const o of r.Contents ?? []) {
          if (o.Key) out.push(this.prefix ? o.Key.slice(this.prefix.length + 1) : o.Key);
        }
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.fail("listing", prefix, err);
    }
    return out;
  }

  async readText(key: string): Promise<string> {
    try {
      const r = await this.client.send(new this.s3.GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return await r.Body!.transformToString("utf8");
    } catch (err) {
      throw this.fail("reading", key, err);
    }
  }

  async writeText(key: string, text: string): Promise<void> {
    try {
      await this.client.send(new this.s3.PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: text }));
    } catch (err) {
      throw this.fail("writing", key, err);
    }
  }

  async upload(key: string, path: string): Promise<void> {
    try {
      const up = new this.storage.Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: this.key(key), Body: createReadStream(path) },
      });
      await up.done();
    } catch (err) {
      throw this.fail("uploading", key, err);
    }
  }

  async localPath(key: string, scratchDir: string): Promise<string> {
    const local = join(scratchDir, "s3", ...key.split("/"));
    mkdirSync(dirname(local), { recursive: true });
    try {
      const r = await this.client.send(new this.s3.GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      await pipeline(r.Body as Readable, createWriteStream(local));
    } catch (err) {
      throw this.fail("downloading", key, err);
    }
    return local;
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 16) {
      const batch = keys.slice(i, i + 16);
      try {
        // One request per object, 16 at a time: DeleteObjects needs Content-MD5, which
        // S3-compatible servers handle differently; deletes are rare (replace and merge clean-up).
        await Promise.all(
          batch.map((k) => this.client.send(new this.s3.DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(k) }))),
        );
      } catch (err) {
        throw this.fail("deleting", batch[0] ?? "", err);
      }
    }
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }
}
