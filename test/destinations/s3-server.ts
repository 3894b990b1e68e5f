import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import type { S3Credentials } from "../../src/destinations/filesystem/index.js";

/** A local S3-compatible server (s3rver) on 127.0.0.1 with one bucket; never the internet. */
export async function startS3(
  bucket = "test-bucket",
): Promise<{ credentials: S3Credentials; bucket: string; stop(): Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), "s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    bucket,
    credentials: {
      aws_access_key_id: "S3RVER",
      aws_secret_access_key: "S3RVER",
      endpoint_url: `http://127.0.0.1:${port}`,
      region_name: "us-east-1",
    },
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
