import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { readDataset, runCli } from "./cli-helpers.js";

interface Reconciled {
  resource: string;
  partition: Record<string, string>;
  label?: string;
  total?: number;
  listed: number;
  removed: number;
  marked: number;
  live: number;
  mode: string;
}

/**
 * Hard deletes on an endpoint without `deleted_since` (the sandbox's knob on tax_rates) reach the
 * destination at the reconciliation cadence: not while `reconcile_every` says not yet, marked
 * (`deleted_at`) when due, removed with `hard_delete`, and gone with a `--full-refresh`, which
 * replaces the business's rows. Exact rows asserted against the sandbox each time.
 */
describe("sage-pipeline run: reconciliation with Sage", () => {
  let sb: Sandbox;
  let cwd: string;
  let env: Record<string, string>;
  let b0: string;
  let b1: string;

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 2, scale: 0.05, seed: 11 });
    cwd = mkdtempSync(join(tmpdir(), "sp-reconcile-e2e-"));
    b0 = sb.store.businesses[0]!.id;
    b1 = sb.store.businesses[1]!.id;
    env = {
      SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
      SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: sb.apiBaseUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__TOKEN_URL: sb.tokenUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_ID: sb.options.clientId,
      SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_SECRET: sb.options.clientSecret,
      SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN: sb.issueTokens("readonly").refresh_token,
      SOURCES__SAGE_ACCOUNTING_SOURCE__RESOURCES: "tax_rates,contacts",
    };
  });
  afterAll(async () => sb.close());

  const run = async (extra: Record<string, string>, args: string[] = []) => {
    const r = await runCli(["run", "--no-progress", "--json", ...args], cwd, { ...env, ...extra });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { reconciliation: Reconciled[]; reconciliationWarnings: string[] };
  };
  const rows = async (business: string) => {
    const ds = readDataset(cwd, "sage_accounting_pipeline.duckdb", "sage_accounting_data");
    const got = await ds.sql(`select id, deleted_at from tax_rates where business_id = '${business}' order by id`).rows();
    return {
      live: got.filter((r) => r.deleted_at === null).map((r) => String(r.id)),
      marked: got.filter((r) => r.deleted_at !== null).map((r) => String(r.id)),
    };
  };
  const sandboxIds = (business: string) =>
    sb.store
      .records(business, "tax_rates")
      .map((r) => (r as { id: string }).id)
      .sort();

  it("applies hard deletes when due, not before, and a full refresh replaces the business's rows", async () => {
    // First run: full reads, every business reconciled from its rows.
    const first = await run({ SOURCES__SAGE_ACCOUNTING_SOURCE__RECONCILE_EVERY: "1d" });
    const taxB0 = first.reconciliation.find((r) => r.resource === "tax_rates" && r.partition.business_id === b0)!;
    expect(taxB0).toMatchObject({ total: sandboxIds(b0).length, listed: sandboxIds(b0).length, live: sandboxIds(b0).length });
    const contacts = first.reconciliation.filter((r) => r.resource === "contacts");
    expect(contacts).toHaveLength(2);
    for (const c of contacts) expect(c.live).toBe(sb.store.count(c.partition.business_id!, "contacts"));
    expect(first.reconciliationWarnings).toEqual([]);
    const before = sandboxIds(b0);
    expect((await rows(b0)).live).toEqual(before);

    // Sage hard-deletes two tax rates. Not due yet (1d): they stay live, nothing listed again.
    const gone = sb.mutate({ business: 0, resource: "tax_rates", hardDeletes: 2 }).deleted.sort();
    const early = await run({ SOURCES__SAGE_ACCOUNTING_SOURCE__RECONCILE_EVERY: "1d" });
    expect(early.reconciliation.filter((r) => r.resource === "tax_rates")).toEqual([]);
    expect((await rows(b0)).live).toEqual(before);

    // Due (always): marked deleted with Sage's time, the rest untouched; the other business as it was.
    const due = await run({ SOURCES__SAGE_ACCOUNTING_SOURCE__RECONCILE_EVERY: "always" });
    const r0 = due.reconciliation.find((r) => r.resource === "tax_rates" && r.partition.business_id === b0)!;
    expect(r0).toMatchObject({ mode: "deletions", marked: 2, removed: 0, live: before.length - 2, total: before.length - 2 });
    expect(await rows(b0)).toEqual({ live: sandboxIds(b0), marked: gone });
    expect((await rows(b1)).live).toEqual(sandboxIds(b1));
    expect(due.reconciliationWarnings).toEqual([]);

    // With hard_delete, the next due reconciliation removes them (and a new hard delete).
    const more = sb.mutate({ business: 0, resource: "tax_rates", hardDeletes: 1 }).deleted;
    const hard = await run({
      SOURCES__SAGE_ACCOUNTING_SOURCE__RECONCILE_EVERY: "0",
      SOURCES__SAGE_ACCOUNTING_SOURCE__HARD_DELETE: "true",
    });
    expect(hard.reconciliation.find((r) => r.resource === "tax_rates" && r.partition.business_id === b0)).toMatchObject({
      removed: 3,
      marked: 0,
    });
    expect(await rows(b0)).toEqual({ live: sandboxIds(b0), marked: [] });
    expect(sandboxIds(b0)).not.toContain(more[0]);

    // A full refresh replaces the business's rows even when reconciliation is off.
    sb.mutate({ business: 1, resource: "tax_rates", hardDeletes: 1 });
    const full = await run({ SOURCES__SAGE_ACCOUNTING_SOURCE__RECONCILE_EVERY: "never" }, ["--full-refresh"]);
    expect(full.reconciliation.find((r) => r.resource === "tax_rates" && r.partition.business_id === b1)).toMatchObject({
      mode: "replace",
      removed: 1,
    });
    expect(await rows(b1)).toEqual({ live: sandboxIds(b1), marked: [] });
    expect(await rows(b0)).toEqual({ live: sandboxIds(b0), marked: [] });
  }, 300_000);

  it("prints the reconciliation in LoadInfo's text", async () => {
    const r = await runCli(["run", "--no-progress", "--full-refresh"], cwd, env);
    expect(r.status, r.stderr).toBe(0);
    const n = sandboxIds(b0).length + sandboxIds(b1).length;
    expect(r.stdout).toContain(`tax_rates: ${n} in Sage, ${n} loaded over 2 parts`);
  }, 300_000);
});
