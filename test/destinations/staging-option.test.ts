import { describe, expect, it } from "vitest";
import { resolveDestination } from "../../src/destinations/registry.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

// dlt's `staging = "filesystem"` is a pipeline option: it reaches the destination's factory, and a
// destination that cannot load from a bucket says so instead of ignoring it.

const dir = tempDir("sp-staging-");

describe("[pipeline] staging", () => {
  it("reaches the destination: DuckDB refuses it by name", async () => {
    const config = emptyConfig({ PIPELINE__STAGING: "filesystem" });
    const p = new Pipeline({ pipelineName: "staged", destination: "duckdb", pipelinesDir: dir, config });
    await expect(p.destination()).rejects.toThrow(/destination duckdb does not load from a staging bucket/);
  });

  it("Redshift takes it and asks for the bucket it stages through", async () => {
    const config = emptyConfig({ DESTINATION__REDSHIFT__CREDENTIALS: "redshift://u:p@127.0.0.1:5439/db" });
    await expect(resolveDestination("redshift", config, { staging: "filesystem" })).rejects.toThrow(
      /needs \[destination\.filesystem\] bucket_url/,
    );
  });

  it("only filesystem is a staging value", () => {
    const config = emptyConfig({ PIPELINE__STAGING: "s3" });
    expect(() => new Pipeline({ pipelineName: "staged2", pipelinesDir: dir, config })).toThrow(/staging/);
  });
});
