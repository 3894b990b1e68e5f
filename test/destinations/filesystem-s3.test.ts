import { afterAll } from "vitest";
import { filesystem } from "../../src/destinations/filesystem/index.js";
import { conformanceSuite } from "./conformance.js";
import { startS3 } from "./s3-server.js";

// The filesystem destination on an S3-compatible store (s3rver on 127.0.0.1).
const s3 = await startS3();
afterAll(() => s3.stop());
let n = 0;

conformanceSuite({
  name: "filesystem on S3 (jsonl)",
  destination: () => filesystem({ bucketUrl: `s3://${s3.bucket}/run${++n}`, credentials: s3.credentials }),
  nul: "kept",
});

conformanceSuite({
  name: "filesystem on S3 (parquet)",
  destination: () => filesystem({ bucketUrl: `s3://${s3.bucket}/pq${++n}`, format: "parquet", credentials: s3.credentials }),
  nul: "kept",
  // The S3 bucket code is the same for both formats; parquet itself runs the full suite locally.
  skipCases: Object.fromEntries(
    (
      [
        "type round trip",
        "NUL characters",
        "schema evolution",
        "child tables and links",
        "long identifiers",
        "reserved words and case",
      ] as const
    ).map((c) => [c, "format-independent; covered by the S3 jsonl run and the local parquet run"]),
  ),
});
