import { describe, expect, it } from "vitest";
import { snowflake } from "../../src/destinations/snowflake/index.js";
import { PipelineError } from "../../src/util/errors.js";

describe("Snowflake connection errors", () => {
  it("an unreachable account fails in one error naming the redacted location, never the password", async () => {
    // Port 9 (discard) on 127.0.0.1 refuses; the SDK's login retries are capped (about 6 s here).
    const d = snowflake({
      credentials: { host: "myaccount", username: "loader", password: "pw-canary-91", database: "ANALYTICS" },
      endpoint: { accessUrl: "http://127.0.0.1:9" },
    });
    const err = (await d
      .connect({ datasetName: "x", pipelineName: "p", workingDir: "/tmp" })
      .catch((e: unknown) => e)) as PipelineError;
    expect(err).toBeInstanceOf(PipelineError);
    const text = err.describe();
    expect(text).toContain("could not connect to Snowflake at snowflake://loader:***@myaccount/ANALYTICS");
    expect(text).toContain("DESTINATION__SNOWFLAKE__CREDENTIALS");
    expect(text).not.toContain("pw-canary-91");
  }, 60_000);
});
