import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { sageAccountingSource } from "../../src/sage/index.js";
import { RunIncompleteError } from "../../src/pipeline/index.js";
import { errorMessage } from "../../src/util/errors.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir("sp-sage-errors-");
const config = () => emptyConfig({ RUNTIME__REQUEST_BACKOFF_FACTOR: "0", RUNTIME__REQUEST_MAX_ATTEMPTS: "2" });

describe("Sage errors say what failed, for which business, and what to do", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 2, scale: 0.05, seed: 4 });
  });
  afterAll(() => sb.close());

  const oauth = (o: Record<string, unknown>) =>
    sageAccountingSource(
      {
        baseUrl: sb.apiBaseUrl,
        tokenUrl: sb.tokenUrl,
        clientId: sb.options.clientId,
        clientSecret: sb.options.clientSecret,
        tokenStore: `${dir}/tokens-${Math.random().toString(36).slice(2)}.json`,
        resources: ["tax_rates"],
        ...o,
      },
      config(),
    );

  it("invalid_client: the client id/secret were rejected (not 'the access token was rejected')", async () => {
    const err = await duckPipeline(dir)
      .run(oauth({ clientSecret: "wrong-secret", refreshToken: sb.issueTokens().refresh_token }))
      .catch((e: unknown) => e);
    const text = errorMessage(err);
    expect(text).toContain("the client id/secret were rejected by the Sage token endpoint (invalid_client)");
    expect(text).toContain("client_id and client_secret");
    expect(text).not.toContain("access token was rejected");
    expect(text).not.toContain("wrong-secret");
    expect(err).not.toBeInstanceOf(RunIncompleteError);
  });

  it("invalid_grant: log in again", async () => {
    const spent = sb.issueTokens().refresh_token;
    await duckPipeline(dir).run(oauth({ refreshToken: spent })); // uses (and rotates) it
    const err = await duckPipeline(dir)
      .run(oauth({ refreshToken: spent }))
      .catch((e: unknown) => e);
    const text = errorMessage(err);
    expect(text).toContain("invalid_grant");
    expect(text).toContain("log in again: run `sage-pipeline auth login`");
  });

  it("a failing /businesses is the business list's failure, not a resource's", async () => {
    sb.setFaults({ rules: [{ path: "/businesses", fault: 500, times: 10 }] });
    try {
      const err = await duckPipeline(dir)
        .run(
          sageAccountingSource(
            { baseUrl: sb.apiBaseUrl, accessToken: sb.issueTokens().access_token, resources: ["contacts", "tax_rates"] },
            config(),
          ),
        )
        .catch((e: unknown) => e);
      const text = errorMessage(err);
      expect(text).toContain("Sage business list: GET");
      expect(text).toContain("/businesses");
      expect(text).not.toMatch(/resource (contacts|tax_rates)/);
      expect(err).not.toBeInstanceOf(RunIncompleteError);
    } finally {
      sb.setFaults({ rules: [] });
    }
  });

  it("a per-business failure names the business by name and id (it travels in X-Business, not the URL)", async () => {
    const [, b2] = sb.store.businesses;
    sb.setFaults({ rules: [{ path: "/contacts", business: b2!.id, fault: 503, times: 10 }] });
    try {
      const err = await duckPipeline(dir)
        .run(
          sageAccountingSource(
            { baseUrl: sb.apiBaseUrl, accessToken: sb.issueTokens().access_token, resources: ["contacts"] },
            config(),
          ),
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunIncompleteError);
      const text = errorMessage(err);
      expect(text).toContain(
        `contacts of business "${b2!.name}" (${b2!.id}): resource contacts, business "${b2!.name}" (${b2!.id}): GET`,
      );
      expect(text).toContain("503");
      const info = (err as RunIncompleteError).loadInfo;
      expect(info.rowCounts.contacts).toBe(sb.store.count(sb.store.businesses[0]!.id, "contacts"));
    } finally {
      sb.setFaults({ rules: [] });
    }
  });
});
