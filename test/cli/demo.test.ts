import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readDataset, runCli } from "../e2e/cli-helpers.js";
import { tempDir } from "../helpers/tmp-pipeline.js";

// The demo keeps its working dir apart from the user's and is never fooled by an earlier demo:
// each one starts a new sandbox, so it resets its working dir and its own DuckDB file together.

const root = tempDir("sp-demo-");
const args = ["demo", "--businesses", "1", "--scale", "0.02", "--resources", "contacts,sales_invoices", "--no-progress"];

async function counts(cwd: string): Promise<Record<string, number>> {
  return readDataset(cwd, "sage_accounting_pipeline.duckdb", "sage_accounting_data").rowCounts();
}

describe("demo", () => {
  it("run twice in one folder loads the same full data both times, without a warning", async () => {
    const cwd = join(root, "twice");
    mkdirSync(cwd);
    const env = { SAGE_PIPELINE_DATA_DIR: join(root, "data-twice") };
    const first = await runCli(args, cwd, env);
    expect(first.status, first.stderr).toBe(0);
    const once = await counts(cwd);
    expect(once.contacts).toBeGreaterThan(0);
    expect(once.sales_invoices).toBeGreaterThan(0);

    const second = await runCli(args, cwd, env);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).not.toContain("WARN");
    expect(await counts(cwd)).toEqual(once);
    // The second demo loaded everything itself (not 0 rows on top of the first one's).
    expect(second.stdout).toMatch(/total\s+[\d,]+\s+[\d,]+/);
    const [, inDataset, thisRun] = /total\s+([\d,]+)\s+([\d,]+)/.exec(second.stdout)!;
    expect(thisRun).toBe(inDataset);
    expect(existsSync(join(root, "data-twice", "demo", "sage_accounting_pipeline"))).toBe(true);
  });

  it("never deletes a sage_accounting_pipeline.duckdb it did not write", async () => {
    const cwd = join(root, "foreign");
    mkdirSync(cwd);
    writeFileSync(join(cwd, "sage_accounting_pipeline.duckdb"), "not the demo's");
    const r = await runCli(args, cwd, { SAGE_PIPELINE_DATA_DIR: join(root, "data-foreign") });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("was not written by the demo");
    expect(existsSync(join(cwd, "sage_accounting_pipeline.duckdb"))).toBe(true);
  });
});
