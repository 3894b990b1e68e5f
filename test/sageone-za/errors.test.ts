import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError, onRequestEvent, RateLimitError, type RequestEvent } from "../../src/http/index.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { resolveSageOneZaSettings, SAGE_ONE_ZA_RESOURCES, sageOneZaSource } from "../../src/sageone-za/index.js";
import { ConfigError, errorMessage, PipelineStepFailed } from "../../src/util/errors.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";
import { saOptions } from "./helpers.js";

const dir = tempDir("sp-sa-err-");
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, scale: 0.05 });
});
afterAll(() => sb.close());

/** The run's error, with the cause the extract step wrapped. */
async function failure(run: Promise<unknown>): Promise<{ error: PipelineStepFailed; cause: unknown; text: string }> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineStepFailed);
  let cause: unknown = error;
  while (cause instanceof Error && cause.cause !== undefined) cause = cause.cause;
  return { error: error as PipelineStepFailed, cause, text: errorMessage(error) };
}

describe("Sage One SA errors", () => {
  it("bad credentials: one request, no retries, a message that names what to check", async () => {
    sb.resetStats();
    const { cause, text } = await failure(
      duckPipeline(dir).run(sageOneZaSource(saOptions(sb, { password: "not-the-password" }), emptyConfig())),
    );
    expect(cause).toBeInstanceOf(AuthenticationError);
    expect(text).toContain("Sage One refused the credentials");
    expect(text).toContain("check api_key, username and password under [sources.sage_one_za_source] in .dlt/secrets.toml");
    expect(text).toContain("SOURCES__SAGE_ONE_ZA_SOURCE__PASSWORD");
    expect(text).toContain("20 failed logins an hour block the username for 24 hours");
    expect(text).not.toContain("not-the-password");
    expect(sb.requestCount({ pathPrefix: "/api/2.0.0" })).toBe(1);
  });

  it("a 429 fails the run without a retry; the same source object runs again later", async () => {
    const src = sageOneZaSource(saOptions(sb, { resources: ["tax_types", "accounts"] }), emptyConfig());
    const p = duckPipeline(dir);
    sb.setFaults({ rules: [{ path: "/TaxType/Get", fault: 429 }] });
    sb.resetStats();
    const { cause } = await failure(p.run(src));
    expect(cause).toBeInstanceOf(RateLimitError);
    expect(sb.requestCount({ pathPrefix: "/api/2.0.0/TaxType/Get" })).toBe(1);
    await p.run(src);
    const expected = sb.store.saCompanies.reduce((s, c) => s + sb.store.saRecords(c.id, "TaxType").length, 0);
    expect((await p.dataset().rowCounts()).tax_types).toBe(expected);
  });

  it("a configured company the user cannot open: 401 that says so", async () => {
    const { text } = await failure(
      duckPipeline(dir).run(sageOneZaSource(saOptions(sb, { companies: [999], resources: "tax_types" }), emptyConfig())),
    );
    expect(text).toContain("that this user may open company 999");
  });

  it("missing credentials: ConfigError naming the keys, the env vars and .dlt/secrets.toml", () => {
    let err: unknown;
    try {
      sageOneZaSource({ username: "me@example.com" }, emptyConfig({ USERNAME: "windows-user", PASSWORD: "other-tool" }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = errorMessage(err);
    expect(text).toContain("Sage One South Africa credentials missing: api_key, password");
    expect(text).toContain("SOURCES__SAGE_ONE_ZA_SOURCE__API_KEY, SOURCES__SAGE_ONE_ZA_SOURCE__PASSWORD");
    expect(text).toContain("[sources.sage_one_za_source] in .dlt/secrets.toml");
    expect(() => sageOneZaSource({}, emptyConfig({ USERNAME: "windows-user", PASSWORD: "x", API_KEY: "y" }))).toThrow(
      /api_key, username, password/,
    );
  });

  it("reads [sources.sage_one_za_source] from the environment; options override it; bad values fail clearly", () => {
    const env = {
      SOURCES__SAGE_ONE_ZA_SOURCE__API_KEY: "{KEY}",
      SOURCES__SAGE_ONE_ZA_SOURCE__USERNAME: "owner@example.com",
      SOURCES__SAGE_ONE_ZA_SOURCE__PASSWORD: "pw-from-env",
      SOURCES__SAGE_ONE_ZA_SOURCE__COMPANIES: "31000, 32000",
      SOURCES__SAGE_ONE_ZA_SOURCE__RESOURCES: "tax_types,accounts",
      SOURCES__SAGE_ONE_ZA_SOURCE__REQUESTS_PER_SECOND: "0.5",
      SOURCES__SAGE_ONE_ZA_SOURCE__DAILY_BUDGET: "1000",
      SOURCES__SAGE_ONE_ZA_SOURCE__BASE_URL: "http://127.0.0.1:1/api/2.0.0/",
    };
    const s = resolveSageOneZaSettings({}, emptyConfig(env));
    expect({ ...s, apiKey: s.apiKey.reveal(), password: s.password.reveal() }).toMatchObject({
      baseUrl: "http://127.0.0.1:1/api/2.0.0",
      apiKey: "{KEY}",
      username: "owner@example.com",
      password: "pw-from-env",
      companies: [31000, 32000],
      resources: ["tax_types", "accounts"],
      requestsPerSecond: 0.5,
      requestsPerMinute: 90,
      dailyBudget: 1000,
    });
    expect(String(s.password)).toBe("***");
    expect(JSON.stringify(s)).not.toContain("pw-from-env");
    const o = resolveSageOneZaSettings({ resources: ["customers"], requestsPerSecond: 2, companies: [7] }, emptyConfig(env));
    expect([o.resources, o.requestsPerSecond, o.companies]).toEqual([["customers"], 2, [7]]);
    const defaults = resolveSageOneZaSettings({ apiKey: "k", username: "u", password: "p" }, emptyConfig());
    expect(defaults).toMatchObject({
      baseUrl: "https://accounting.sageone.co.za/api/2.0.0",
      companies: undefined,
      resources: [...SAGE_ONE_ZA_RESOURCES],
      requestsPerSecond: 1,
      dailyBudget: 5000,
    });
    const src = sageOneZaSource({}, emptyConfig(env));
    expect(src.selected.map((r) => r.name)).toEqual(["tax_types", "accounts"]);
    expect([...src.resources.keys()]).toEqual([...SAGE_ONE_ZA_RESOURCES]);
    expect(() =>
      resolveSageOneZaSettings({}, emptyConfig({ ...env, SOURCES__SAGE_ONE_ZA_SOURCE__RESOURCES: "invoices" })),
    ).toThrow(/unknown resource invoices/);
    expect(() =>
      resolveSageOneZaSettings({}, emptyConfig({ ...env, SOURCES__SAGE_ONE_ZA_SOURCE__REQUESTS_PER_SECOND: "0" })),
    ).toThrow(/requests_per_second must be a positive number/);
    expect(() => resolveSageOneZaSettings({}, emptyConfig({ ...env, SOURCES__SAGE_ONE_ZA_SOURCE__COMPANIES: "acme" }))).toThrow(
      /companies must be Sage company ids/,
    );
  });
});

describe("Sage One SA rate limit (429: the IP is blocked for an hour)", () => {
  let blocked: Sandbox;
  beforeAll(async () => {
    blocked = await startSandbox({ port: 0, scale: 0.05, saRequestsPerMinute: 3 });
  });
  afterAll(() => blocked.close());

  it("fails at once on the first 429, never retries it, and says which setting to lower", async () => {
    const events: RequestEvent[] = [];
    const off = onRequestEvent((e) => events.push(e));
    let result;
    try {
      // Six lists per company against an API that blocks after three requests a minute.
      const options = saOptions(blocked, {
        maxConcurrency: 1,
        requestsPerSecond: 1000,
        resources: ["customers", "suppliers", "items", "tax_types", "accounts", "bank_accounts"],
      });
      result = await failure(duckPipeline(dir).run(sageOneZaSource(options, emptyConfig())));
    } finally {
      off();
    }
    expect(result.cause).toBeInstanceOf(RateLimitError);
    expect(result.text).toContain("Sage One blocked this IP address for company");
    expect(result.text).toContain("for an hour");
    expect(result.text).toContain("lower requests_per_second (now 1000 per company)");
    expect(result.text).toContain("SOURCES__SAGE_ONE_ZA_SOURCE__REQUESTS_PER_SECOND");
    expect(events.filter((e) => e.type === "retry")).toEqual([]);
    // Nothing goes out after a 429: at most the one request per company already in flight hits the block.
    for (const company of blocked.store.saCompanies) {
      expect(blocked.requestCount({ business: `sa:${company.id}`, status: 429 })).toBeLessThanOrEqual(1);
      expect(blocked.requestCount({ business: `sa:${company.id}` })).toBeLessThanOrEqual(4);
    }
    expect(blocked.stats.saBlocked).toBeGreaterThanOrEqual(1);
    expect(blocked.stats.saBlocked).toBeLessThanOrEqual(blocked.store.saCompanies.length);
  });
});
