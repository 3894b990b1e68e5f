import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { readDataset, runCli } from "../e2e/cli-helpers.js";
import { tamper } from "./sandbox-books.js";

/** `sage-pipeline models ...` through the built CLI, as a user runs it after `run`. */
describe("sage-pipeline models", () => {
  let sb: Sandbox;
  let cwd: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 1, scale: 0.01, seed: 3 });
    cwd = mkdtempSync(join(tmpdir(), "sp-models-e2e-"));
    env = {
      SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
      SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: sb.apiBaseUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__TOKEN_URL: sb.tokenUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_ID: sb.options.clientId,
      SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_SECRET: sb.options.clientSecret,
      SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN: sb.issueTokens("readonly").refresh_token,
    };
  });
  afterAll(async () => {
    await sb.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("lists the models with their columns, and the data tests", async () => {
    const r = await runCli(["models", "list"], cwd, env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("sage__trial_balance (table, after sage__general_ledger)");
    expect(r.stdout).toMatch(/ {4}closing_balance {2,}balance at the end of the month \(debit-positive\)/);
    expect(r.stdout).toContain("sage__general_ledger (incremental");
    expect(r.stdout).toContain("  balance_sheet_balances: ");
  });

  it("builds the models after a load with [models] enabled, runs them on demand, and exits 1 naming what does not balance", async () => {
    const loaded = await runCli(["run", "--no-progress"], cwd, { ...env, MODELS__ENABLED: "true" });
    expect(loaded.status, loaded.stderr).toBe(0);
    const ds = readDataset(cwd, "sage_accounting_pipeline.duckdb", "sage_accounting_data");
    const tests = await ds.sql("SELECT test_name, status FROM sage__data_tests ORDER BY test_name").rows();
    expect(tests.map((t) => t.status)).toEqual(["pass", "pass", "pass", "pass", "pass"]);

    const ok = await runCli(["models", "run"], cwd, env);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/sage__general_ledger +incremental +[\d,]+ rows/);
    expect(ok.stdout).toContain("Data tests: 5 passed, 0 failed");

    const bad = await runCli(["models", "run", "--as-of", "31/03/2025"], cwd, env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--as-of must be a date, YYYY-MM-DD, got "31/03/2025"');

    const client = await duckdb({ credentials: join(cwd, "sage_accounting_pipeline.duckdb") }).connect({
      datasetName: "sage_accounting_data",
      pipelineName: "tamper",
      workingDir: cwd,
    });
    await tamper(
      client,
      "UPDATE ledger_entries SET credit = credit + 0.01 WHERE id = (SELECT MIN(id) FROM ledger_entries WHERE credit > 0)",
    );
    await client.close();
    const failed = await runCli(["models", "run", "--full-refresh"], cwd, env);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain("FAILED transactions_balance");
    expect(failed.stdout).toMatch(/business [0-9a-f]{32}, period \d{4}-\d{2}-\d{2}: difference -0\.010000000: transaction /);
    expect(failed.stderr).toContain("data test(s) failed");
  }, 240_000);
});
