import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_SPECS } from "../../src/cli/config.js";
import { renderTomlTemplate } from "../../src/config/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { readDataset, runCli } from "../e2e/cli-helpers.js";

/** Config mistakes as a user makes them, through the built CLI against the sandbox. */
describe("config errors and warnings through the CLI", () => {
  let sb: Sandbox;
  let base: Record<string, string>;
  const dirs: string[] = [];

  /** A fresh project folder with `.dlt/config.toml` holding `toml`. */
  function project(toml: string): string {
    const cwd = mkdtempSync(join(tmpdir(), "sp-config-e2e-"));
    dirs.push(cwd);
    mkdirSync(join(cwd, ".dlt"));
    writeFileSync(join(cwd, ".dlt", "config.toml"), toml);
    return cwd;
  }

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 1, scale: 0.02, seed: 11 });
    base = {
      SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: sb.apiBaseUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN: sb.issueTokens().access_token,
    };
  });
  afterAll(async () => sb.close());

  const env = (cwd: string, extra: Record<string, string> = {}) => ({
    ...base,
    SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
    ...extra,
  });

  it("a typo'd key warns once with did-you-mean (file:line or variable) and the run still loads", async () => {
    const cwd = project(
      [
        "[sources.sage_accounting_source]",
        'resources = ["contacts", "tax_rates"]',
        "items_per_pag = 50",
        'resorces = ["contacts"]',
        "",
        "[runtime]",
        "request_timout = 5",
      ].join("\n"),
    );
    const r = await runCli(["run", "--no-progress"], cwd, env(cwd, { SOURCES__SAGE_ACCOUNTING_SOURCE__ITEMS_PER_PAG: "10" }));
    expect(r.status, r.stderr).toBe(0);
    const warning = (s: string) => r.stderr.split("\n").filter((l) => l.includes(s));
    expect(warning("has no key items_per_pag (.dlt/config.toml:3; ignored), did you mean items_per_page?")).toHaveLength(1);
    expect(warning("has no key resorces (.dlt/config.toml:4; ignored), did you mean resources?")).toHaveLength(1);
    expect(
      warning(
        "has no key items_per_pag (environment variable SOURCES__SAGE_ACCOUNTING_SOURCE__ITEMS_PER_PAG; ignored), did you mean items_per_page?",
      ),
    ).toHaveLength(1);
    expect(
      warning("[runtime] has no key request_timout (.dlt/config.toml:7; ignored), did you mean request_timeout?"),
    ).toHaveLength(1);
    // The data: exactly the two configured resources, every row of the business.
    const ds = readDataset(cwd, "sage_accounting_pipeline.duckdb", "sage_accounting_data");
    const business = sb.store.businesses[0]!.id;
    expect(await ds.table("contacts").count()).toBe(sb.store.count(business, "contacts"));
    expect(await ds.table("tax_rates").count()).toBe(sb.store.count(business, "tax_rates"));
    const tables = (
      await ds.sql("select table_name from information_schema.tables where table_schema = 'sage_accounting_data'").rows()
    ).map((t) => String(t.table_name));
    expect(tables.filter((t) => !t.startsWith("_dlt") && !t.includes("__")).sort()).toEqual(["contacts", "tax_rates"]);
  });

  it("a bad value exits 2 naming the key, file:line and the fix; nothing is extracted", async () => {
    const cwd = project('# my settings\n[sources.sage_accounting_source]\nresources = ["contacts"]\nitems_per_page = 500\n');
    const before = sb.stats.totalRequests;
    const r = await runCli(["run", "--no-progress"], cwd, env(cwd));
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      "error: [sources.sage_accounting_source] items_per_page must be an integer from 1 to 200 (got 500, from .dlt/config.toml:4)",
    );
    expect(r.stderr).toContain("hint: change items_per_page to 200 in .dlt/config.toml:4");
    expect(sb.stats.totalRequests).toBe(before);

    const fromEnv = await runCli(["run", "--no-progress"], cwd, env(cwd, { RUNTIME__REQUEST_MAX_ATTEMPTS: "many" }));
    expect(fromEnv.status).toBe(2);
    expect(fromEnv.stderr).toContain(
      '[runtime] request_max_attempts must be an integer of at least 1 (got "many", from environment variable RUNTIME__REQUEST_MAX_ATTEMPTS)',
    );
    expect(fromEnv.stderr).toContain("hint: set RUNTIME__REQUEST_MAX_ATTEMPTS to 5");

    const badUrl = project('[sources.sage_accounting_source]\nbase_url = "api.accounting.sage.com"\n');
    const url = await runCli(["run", "--no-progress"], badUrl, { ...env(badUrl), SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: "" });
    expect(url.status).toBe(2);
    expect(url.stderr).toContain('base_url must be an http(s) URL (got "api.accounting.sage.com", from .dlt/config.toml:2)');
  });

  it("a TOML syntax error exits 2 with the file, line and column", async () => {
    const cwd = project("[sources.sage_accounting_source]\nresources = [contacts]\n");
    const r = await runCli(["run", "--no-progress"], cwd, env(cwd));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\.dlt\/config\.toml is not valid TOML at line 2, column \d+/);
    expect(r.stderr).toMatch(/hint: fix \.dlt\/config\.toml:2:\d+/);
  });

  it("--resources with no name warns instead of silently loading something else", async () => {
    const cwd = project('[sources.sage_accounting_source]\nresources = ["tax_rates"]\n');
    const r = await runCli(["run", "--no-progress", "--resources", ""], cwd, env(cwd));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      '--resources "" names no resource: ignored, sage_accounting loads its configured or default resources',
    );
    const ds = readDataset(cwd, "sage_accounting_pipeline.duckdb", "sage_accounting_data");
    expect(await ds.table("tax_rates").count()).toBe(sb.store.count(sb.store.businesses[0]!.id, "tax_rates"));
  });

  it("[pipeline] names the pipeline, dataset and destination of `run`", async () => {
    const cwd = project(
      '[pipeline]\npipeline_name = "books"\ndataset_name = "ledger"\n\n[sources.sage_accounting_source]\nresources = ["tax_rates"]\n',
    );
    const r = await runCli(["run", "--no-progress"], cwd, env(cwd));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("loaded to destination duckdb and into dataset ledger");
    const ds = readDataset(cwd, "books.duckdb", "ledger");
    expect(await ds.table("tax_rates").count()).toBe(sb.store.count(sb.store.businesses[0]!.id, "tax_rates"));
  });

  it("init writes the templates the specs generate", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "sp-config-init-"));
    dirs.push(cwd);
    const r = await runCli(["init"], cwd, { SAGE_PIPELINE_DATA_DIR: join(cwd, "data") });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(cwd, ".dlt", "config.toml"), "utf8")).toBe(renderTomlTemplate(CONFIG_SPECS, "config"));
    expect(readFileSync(join(cwd, ".dlt", "secrets.toml"), "utf8")).toBe(renderTomlTemplate(CONFIG_SPECS, "secrets"));
  });
});
