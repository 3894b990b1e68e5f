import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { fsyncDir } from "../../util/fs-atomic.js";
import type { Bucket } from "./bucket.js";

/** Temporary names start with a dot, so listings (and readers) never see half-written files. */
function tempName(path: string): string {
  return join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
}

/**
 * A folder on this machine as a bucket. The Bucket interface is async (S3); the local file calls
 * are synchronous, and the methods stay `async` so that a failure is a rejection, as in S3's.
 */
/* eslint-disable @typescript-eslint/require-await -- see above */
export class LocalBucket implements Bucket {
  readonly display: string;

  constructor(private readonly root: string) {
    this.display = pathToFileURL(root).href;
  }

  private path(key: string): string {
    return join(this.root, ...key.split("/"));
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.path(prefix);
    if (!existsSync(base)) return [];
    return readdirSync(base, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && !d.name.startsWith("."))
      .map((d) => relative(this.root, join(d.parentPath, d.name)).split(sep).join("/"));
  }

  async readText(key: string): Promise<string> {
    return readFileSync(this.path(key), "utf8");
  }

  async writeText(key: string, text: string): Promise<void> {
    const p = this.path(key);
    mkdirSync(dirname(p), { recursive: true });
    const tmp = tempName(p);
    writeFileSync(tmp, text);
    renameSync(tmp, p);
    fsyncDir(dirname(p));
  }

  async upload(key: string, path: string): Promise<void> {
    const p = this.path(key);
    mkdirSync(dirname(p), { recursive: true });
    const tmp = tempName(p);
    try {
      renameSync(path, tmp);
    } catch {
      copyFileSync(path, tmp); // another device: copy, then rename in place
    }
    renameSync(tmp, p);
    fsyncDir(dirname(p));
  }

  async localPath(key: string): Promise<string> {
    return this.path(key);
  }

  async delete(keys: string[]): Promise<void> {
    for (const k of keys) rmSync(this.path(k), { force: true });
  }

  async close(): Promise<void> {}
}
/* eslint-enable @typescript-eslint/require-await */
