import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { S3Bucket } from "../../src/destinations/filesystem/s3-bucket.js";
import { startS3 } from "./s3-server.js";

const s3 = await startS3();
const dir = mkdtempSync(join(tmpdir(), "s3-bucket-"));
afterAll(async () => {
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("S3 bucket (s3rver on 127.0.0.1)", () => {
  it("uploads a file larger than one part (multipart), lists it under its prefix, downloads and deletes it", async () => {
    const b = await S3Bucket.open(`s3://${s3.bucket}/some/prefix/`, s3.credentials);
    expect(b.display).toBe(`s3://${s3.bucket}/some/prefix`);
    const f = join(dir, "big.bin");
    writeFileSync(f, Buffer.alloc(12 << 20, 7));
    await b.upload("ds/t/1.5.abc.parquet", f);
    await b.writeText("ds/_dlt_loads/s__1.5.jsonl", '{"load_id":"1.5"}\n');
    expect((await b.list("ds/")).sort()).toEqual(["ds/_dlt_loads/s__1.5.jsonl", "ds/t/1.5.abc.parquet"]);
    expect(await b.list("other/")).toEqual([]);
    const local = await b.localPath("ds/t/1.5.abc.parquet", dir);
    expect(statSync(local).size).toBe(12 << 20);
    expect(await b.readText("ds/_dlt_loads/s__1.5.jsonl")).toBe('{"load_id":"1.5"}\n');
    await b.delete(["ds/t/1.5.abc.parquet"]);
    expect(await b.list("ds/")).toEqual(["ds/_dlt_loads/s__1.5.jsonl"]);
    await b.close();
  });

  it("names the bucket and key, never the secret key, when a request fails", async () => {
    const b = await S3Bucket.open("s3://no-such-bucket/p", { ...s3.credentials, aws_secret_access_key: "wrong-secret-value" });
    const err = (await b.readText("ds/x.jsonl").catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("s3://no-such-bucket/p/ds/x.jsonl");
    expect(err.message).not.toContain("wrong-secret-value");
    await b.close();
  });
});
