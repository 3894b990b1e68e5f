import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigResolver, EnvProvider, TomlProvider } from "../../src/config/index.js";
import { RUNTIME_SPEC, resolveRetryPolicy } from "../../src/http/index.js";
import { NORMALIZE_SPEC, PIPELINE_SPEC, resolvePipelineSettings } from "../../src/pipeline/config.js";
import { resolveSageOptions } from "../../src/sage/options.js";
import { errorMessage } from "../../src/util/errors.js";
import { tempDir } from "../helpers/tmp-pipeline.js";

const env = (vars: Record<string, string>) => new ConfigResolver([new EnvProvider(vars)]);
const dir = tempDir();
const toml = (text: string) => {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(file, text);
  return new TomlProvider(".dlt/config.toml", file);
};

describe("the components' specs", () => {
  it("Sage: credentials and URLs never come from a bare key such as Vite's BASE_URL; other keys follow dlt's fallback", () => {
    const o = resolveSageOptions(
      {},
      new ConfigResolver([
        new EnvProvider({ BASE_URL: "/", CLIENT_ID: "other-tool", ACCESS_TOKEN: "other-token", SOURCES__CLIENT_SECRET: "s" }),
        toml("hard_delete = true\n[sources]\nitems_per_page = 50\n"),
      ]),
    );
    expect(o.baseUrl).toBe("https://api.accounting.sage.com/v3.1");
    expect(o.clientId).toBeUndefined();
    expect(o.accessToken).toBeUndefined();
    expect(o.clientSecret?.reveal()).toBe("s");
    expect(o.hardDelete).toBe(true);
    expect(o.itemsPerPage).toBe(50);
    expect(o.resources).toHaveLength(24);
    expect(o.maxConcurrency).toBe(10);
  });

  it("Sage: resource names are checked against the catalog, the error says where they came from", () => {
    let text = "";
    try {
      resolveSageOptions({}, env({ SOURCES__SAGE_ACCOUNTING_SOURCE__RESOURCES: "invoices,sales_invoice" }));
    } catch (e) {
      text = errorMessage(e);
    }
    expect(text).toContain('Unknown Sage endpoint "sales_invoice"');
    expect(text).toContain("from environment variable SOURCES__SAGE_ACCOUNTING_SOURCE__RESOURCES");
    expect(text).toContain('Did you mean "sales_invoices"');
    const o = resolveSageOptions({ resources: "invoices, payments" }, ConfigResolver.empty());
    expect(o.resources).toEqual(["sales_invoices", "purchase_invoices", "contact_payments", "other_payments"]);
  });

  it("[runtime]: dlt's names and defaults, explicit values win, the log level is a choice", () => {
    expect(resolveRetryPolicy(env({ RUNTIME__REQUEST_TIMEOUT: "5" }), { requestMaxAttempts: 2 })).toEqual({
      requestTimeout: 5,
      requestStallTimeout: 20,
      requestMaxAttempts: 2,
      requestBackoffFactor: 1,
      requestMaxRetryDelay: 300,
    });
    expect(() => resolveRetryPolicy(env({ RUNTIME__REQUEST_BACKOFF_FACTOR: "-1" }))).toThrow(
      /\[runtime\] request_backoff_factor must be a non-negative number \(got "-1", from environment variable RUNTIME__REQUEST_BACKOFF_FACTOR\)/,
    );
    expect(env({ RUNTIME__LOG_LEVEL: "INFO" }).resolve(RUNTIME_SPEC).values.logLevel).toBe("info");
    expect(() => env({ RUNTIME__LOG_LEVEL: "loud" }).resolve(RUNTIME_SPEC)).toThrow(/log_level must be one of "debug"/);
  });

  it("[pipeline]: read at exactly that section; [destination] name is the fallback destination", () => {
    const c = new ConfigResolver([
      new EnvProvider({ PIPELINE_NAME: "bare", DESTINATION__NAME: "postgres" }),
      toml('[pipeline]\ndataset_name = "ledger"\n'),
    ]);
    expect(resolvePipelineSettings(c, {})).toMatchObject({
      pipelineName: "sage_pipeline",
      datasetName: "ledger",
      destination: "postgres",
      restoreFromDestination: true,
    });
    expect(resolvePipelineSettings(c, { pipelineName: "p", datasetName: "d", destination: "duckdb" })).toMatchObject({
      pipelineName: "p",
      datasetName: "d",
      destination: "duckdb",
    });
    expect(() => env({ PIPELINE__PIPELINE_NAME: "a/b" }).resolve(PIPELINE_SPEC)).toThrow(
      /pipeline_name must be a name without slashes/,
    );
  });

  it("[normalize] workers: a positive integer, unset by default (the pipeline picks the cores)", () => {
    expect(ConfigResolver.empty().resolve(NORMALIZE_SPEC).values.workers).toBeUndefined();
    expect(env({ NORMALIZE__WORKERS: "3" }).resolve(NORMALIZE_SPEC).values.workers).toBe(3);
    expect(() => env({ NORMALIZE__WORKERS: "0" }).resolve(NORMALIZE_SPEC)).toThrow(/workers must be a positive integer/);
  });
});
