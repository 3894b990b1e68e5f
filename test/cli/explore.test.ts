import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { runCli } from "../e2e/cli-helpers.js";
import { tempDir } from "../helpers/tmp-pipeline.js";

// Discovery and inspection from the CLI: `resources`, and `pipeline --demo X info|trace|schema`
// on one small demo load.

const root = tempDir("sp-explore-");
const cwd = join(root, "work");
const env = { SAGE_PIPELINE_DATA_DIR: join(root, "data") };
const pipeline = (...args: string[]) => runCli(["pipeline", "--demo", "sage_accounting_pipeline", ...args], cwd, env);

beforeAll(async () => {
  mkdirSync(cwd);
  const demo = await runCli(
    ["demo", "--businesses", "2", "--scale", "0.02", "--resources", "contacts,sales_invoices,tax_rates", "--no-progress"],
    cwd,
    env,
  );
  expect(demo.status, demo.stderr).toBe(0);
});

describe("sage-pipeline resources", () => {
  it("lists all 85 Sage Accounting endpoints with incremental and deletion support, and marks the defaults", async () => {
    const r = await runCli(["resources", "--json"], cwd, env);
    expect(r.status, r.stderr).toBe(0);
    const facts = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(facts).toHaveLength(85);
    const invoices = facts.find((f) => f.name === "sales_invoices")!;
    expect(invoices).toMatchObject({ default: true, incremental: "updated_or_created_since", deletions: "deleted_since" });
    expect(invoices.childTables).toContain("sales_invoices__invoice_lines");
    expect(facts.find((f) => f.name === "transactions")).toMatchObject({ deletions: "deleted flag" });
    expect(facts.filter((f) => f.default)).toHaveLength(24);

    const table = await runCli(["resources"], cwd, env);
    expect(table.stdout).toMatch(/^sales_invoices\s+yes\s+list\s+updated_or_created_since\s+deleted_since\s+invoice_lines/m);
    expect(table.stdout).toContain("85 resources, 24 loaded by default");
  });

  it("lists the Sage One South Africa lists with --source sage_one_za", async () => {
    const r = await runCli(["resources", "--source", "sage_one_za", "--json"], cwd, env);
    const facts = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(facts.find((f) => f.name === "tax_invoices")).toMatchObject({
      incremental: "modified",
      childTables: ["tax_invoices__lines"],
    });
    const bad = await runCli(["resources", "--source", "nope"], cwd, env);
    expect(bad.status).toBe(2);
  });
});

describe("sage-pipeline pipeline --demo", () => {
  it("info shows the destination, row counts from the dataset and the cursors per business", async () => {
    const r = await pipeline("info");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/destination: duckdb at duckdb:.*sage_accounting_pipeline\.duckdb/);
    expect(r.stdout).toMatch(/^contacts\s+\d+$/m);
    expect(r.stdout).toMatch(/^sage_accounting\s+contacts\s+[0-9a-f]{32}\s+lastRunStartedAt\s+\d{4}-/m);
    const json = JSON.parse((await pipeline("info", "--json")).stdout) as {
      rowCounts: Record<string, number>;
      cursors: Array<{ resource: string; partition: string }>;
    };
    expect(json.rowCounts.contacts).toBeGreaterThan(0);
    expect(json.rowCounts.sales_invoices__invoice_lines).toBeGreaterThan(0);
    // Two businesses, three resources: one cursor row each.
    expect(new Set(json.cursors.map((c) => `${c.resource}/${c.partition}`)).size).toBe(6);
  });

  it("trace prints steps with durations and rows, as dlt does; --json the raw file", async () => {
    const r = await pipeline("trace");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Run of sage_accounting_pipeline started at .* and COMPLETED in [\d.]+ seconds with 4 step\(s\)\./m,
    );
    expect(r.stdout).toMatch(
      /^Step extract of load [\d.]+ COMPLETED in [\d.]+ seconds\.\n {2}[\d,]+ items in 3 resource\(s\): /m,
    );
    expect(r.stdout).toMatch(/^Step load of load [\d.]+ COMPLETED in [\d.]+ seconds\.\n {2}[\d,]+ rows in \d+ table\(s\): /m);
    const raw = JSON.parse((await pipeline("trace", "--json")).stdout) as {
      steps: Array<{ step: string; rows?: Record<string, number> }>;
    };
    const load = raw.steps.find((s) => s.step === "load")!;
    const info = JSON.parse((await pipeline("info", "--json")).stdout) as { rowCounts: Record<string, number> };
    // The load step's rows are the dataset's rows (one load into an empty dataset).
    expect(load.rows).toEqual(info.rowCounts);
  });

  it("schema prints a readable table by default, and yaml, json, mermaid and dbml on request", async () => {
    const table = await pipeline("schema", "--table", "sales_invoices__invoice_lines");
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain("sales_invoices__invoice_lines · child of sales_invoices · write disposition merge");
    expect(table.stdout).toMatch(/^\s+net_amount\s+decimal\(38,9\)\s+yes/m);

    const yaml = parseYaml((await pipeline("schema", "--format", "yaml")).stdout) as { tables: Array<{ name: string }> };
    const json = JSON.parse((await pipeline("schema", "--format", "json")).stdout) as { tables: Array<{ name: string }> };
    expect(yaml).toEqual(json);
    expect(json.tables.map((t) => t.name)).toContain("contacts");

    const mermaid = (await pipeline("schema", "--format", "mermaid")).stdout;
    expect(mermaid.startsWith("erDiagram\n")).toBe(true);
    expect(mermaid).toContain('sales_invoices ||--o{ sales_invoices__invoice_lines : "_dlt_parent_id"');
    const dbml = (await pipeline("schema", "--format", "dbml")).stdout;
    expect(dbml).toContain('Table "contacts" {');
    expect(dbml).toContain('Ref: "sales_invoices__invoice_lines"."_dlt_parent_id" > "sales_invoices"."_dlt_id"');
  });

  it("load-package shows the newest package's status, rows per table and jobs; an unknown id is exit 2", async () => {
    const r = await pipeline("load-package");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Load package [\d.]+: LOADED$/m);
    expect(r.stdout).toMatch(/^contacts\s+\d+$/m);
    const json = JSON.parse((await pipeline("load-package", "--json")).stdout) as {
      status: string;
      rowCounts: Record<string, number>;
    };
    expect(json.status).toBe("loaded");
    expect(json.rowCounts.contacts).toBeGreaterThan(0);
    const bad = await pipeline("load-package", "123");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("no load package 123");
  });

  it("sync rebuilds the state and schemas from the destination", async () => {
    const before = JSON.parse((await pipeline("info", "--json")).stdout) as Record<string, unknown>;
    const r = await pipeline("sync");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^restored state version \d+ and schema\(s\) sage_accounting of sage_accounting_pipeline from duckdb/m,
    );
    const after = JSON.parse((await pipeline("info", "--json")).stdout) as Record<string, unknown>;
    expect(after.cursors).toEqual(before.cursors);
    expect(after.rowCounts).toEqual(before.rowCounts);
    expect(after.stateVersion).toBe(before.stateVersion);
  });

  it("an unknown table is exit 2 naming the close names", async () => {
    const r = await pipeline("schema", "--table", "contact");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('has no table "contact"');
    expect(r.stderr).toContain("did you mean");
    expect(r.stderr).toContain("contacts");
  });
});
