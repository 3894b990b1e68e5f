import { join } from "node:path";
import { filesystem } from "../../src/destinations/filesystem/index.js";
import { conformanceSuite } from "./conformance.js";

conformanceSuite({
  name: "filesystem jsonl",
  destination: ({ dir }) => filesystem({ bucketUrl: join(dir, "bucket") }),
  nul: "kept",
});

conformanceSuite({
  name: "filesystem jsonl.gz (file:// URL)",
  destination: ({ dir }) => filesystem({ bucketUrl: `file://${join(dir, "bucket")}`, compression: "gzip" }),
  nul: "kept",
  // gzip only changes how jsonl files are written and read; the cases that touch files run here.
  skipCases: Object.fromEntries(
    (
      ["NUL characters", "schema evolution", "child tables and links", "long identifiers", "reserved words and case"] as const
    ).map((c) => [c, "format-independent; the plain jsonl and parquet runs cover it"]),
  ),
});

conformanceSuite({
  name: "filesystem parquet",
  destination: ({ dir }) => filesystem({ bucketUrl: join(dir, "bucket"), format: "parquet" }),
  nul: "kept",
});
