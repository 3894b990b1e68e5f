import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { DEFAULT_RESOURCES } from "../../src/sage/index.js";
import { readDataset, runCli } from "./cli-helpers.js";

/**
 * The product's main path, through the built CLI against the sandbox: two businesses, every
 * default resource, the OAuth refresh flow with a token store, then an incremental run after
 * the sandbox's data changed.
 */
// A full run of every default resource of two businesses takes ~20 s on an idle 2-core machine
// and over a minute when it is shared: the default 60 s would fail it for the machine's load.
const E2E_TIMEOUT_MS = 300_000;

/** The fields of a sandbox sales invoice these tests read. */
interface ApiInvoice {
  id: string;
  total_amount: string;
  date: string;
  updated_at: string;
  contact: { id: string };
  invoice_lines: unknown[];
}

/** `rowCounts` of `run --json`'s output. */
function rowCountsOf(stdout: string): Record<string, number | undefined> {
  return (JSON.parse(stdout) as { rowCounts: Record<string, number | undefined> }).rowCounts;
}

describe("sage-pipeline run (Sage v3.1) end to end", () => {
  let sb: Sandbox;
  let cwd: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 2, scale: 0.1, seed: 7 });
    cwd = mkdtempSync(join(tmpdir(), "sp-sage-e2e-"));
    env = {
      SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
      SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: sb.apiBaseUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__TOKEN_URL: sb.tokenUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_ID: sb.options.clientId,
      SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_SECRET: sb.options.clientSecret,
      SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN: sb.issueTokens("readonly").refresh_token,
    };
  });
  afterAll(async () => sb.close());

  it(
    "loads every default resource of both businesses, exactly as the API has them",
    async () => {
      const r = await runCli(["run", "--no-progress"], cwd, env);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain("1 load package(s) were loaded to destination duckdb and into dataset sage_accounting_data");
      expect(r.stdout).toMatch(/duckdb:\/.*sage_accounting_pipeline\.duckdb/);
      // Business 2 is in Ireland on Accounting Standard: stock_items is not there (404), one warning.
      expect(r.stderr.match(/stock_items: skipped for business/g)?.length).toBe(1);

      const ds = readDataset(cwd, "sage_accounting_pipeline.duckdb", "sage_accounting_data");
      const businesses = sb.store.businesses;
      for (const name of DEFAULT_RESOURCES.filter((n) => n !== "financial_settings")) {
        const expected = businesses.reduce((a, b) => a + sb.store.count(b.id, name), 0);
        const got = await ds
          .sql(`select count(*) as n from ${name}`)
          .rows()
          .catch(() => [{ n: 0 }]);
        expect(got[0]!.n, name).toBe(expected);
      }
      expect(await ds.table("financial_settings").count()).toBe(2);

      // Values: every invoice, its amounts as exact decimals, its date, its contact and its lines.
      const b0 = businesses[0]!.id;
      const api = sb.store.records(b0, "sales_invoices") as unknown as ApiInvoice[];
      const rows = await ds
        .sql(
          `select id, total_amount, net_amount, date, contact__id, updated_at from sales_invoices where business_id = '${b0}' order by id`,
        )
        .rows();
      const byId = new Map(rows.map((row) => [row.id, row]));
      expect(byId.size).toBe(api.length);
      for (const inv of api.slice(0, 50)) {
        const row = byId.get(inv.id)!;
        expect(Number(row.total_amount)).toBe(Number(inv.total_amount));
        expect(String(row.total_amount)).toMatch(/^-?\d+\.\d{9}$/);
        expect(row.date).toBe(inv.date);
        expect(row.contact__id).toBe(inv.contact.id);
        expect((row.updated_at as Date).toISOString().replace(".000Z", "Z")).toBe(inv.updated_at);
      }
      const lineCounts = await ds
        .sql(
          `select i.id, count(l._dlt_id) as n from sales_invoices i left join sales_invoices__invoice_lines l on l._dlt_root_id = i._dlt_id where i.business_id = '${b0}' group by i.id`,
        )
        .rows();
      for (const lc of lineCounts) expect(lc.n).toBe(api.find((a) => a.id === lc.id)!.invoice_lines.length);
      const types = await ds
        .sql(
          "select column_name, data_type from information_schema.columns where table_name = 'sales_invoices' and column_name in ('total_amount', 'date', 'updated_at', 'business_id')",
        )
        .rows();
      expect(Object.fromEntries(types.map((t) => [t.column_name, t.data_type]))).toEqual({
        total_amount: "DECIMAL(38,9)",
        date: "DATE",
        updated_at: "TIMESTAMP WITH TIME ZONE",
        business_id: "VARCHAR",
      });
      // The rotated refresh token went to the token store, mode 0600; no secret reached the output.
      const store = join(cwd, "data", "tokens", "sage_accounting.json");
      expect(statSync(store).mode & 0o777).toBe(0o600);
      const secrets = [
        env.SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_SECRET!,
        (JSON.parse(readFileSync(store, "utf8")) as { refreshToken: string }).refreshToken,
      ];
      for (const s of secrets) expect(r.stdout + r.stderr).not.toContain(s);
    },
    E2E_TIMEOUT_MS,
  );

  it(
    "a second run loads only what changed, and costs about one request per resource per business",
    async () => {
      sb.resetStats();
      const quiet = await runCli(["run", "--no-progress", "--json"], cwd, env);
      expect(quiet.status, quiet.stderr).toBe(0);
      const requests = sb.stats.totalRequests;
      // per business: one updated_or_created_since request per resource, one deleted_since where supported
      const perBusiness =
        DEFAULT_RESOURCES.length +
        DEFAULT_RESOURCES.filter((n) =>
          [
            "contacts",
            "contact_persons",
            "addresses",
            "sales_invoices",
            "sales_credit_notes",
            "sales_quick_entries",
            "purchase_invoices",
            "purchase_credit_notes",
            "purchase_quick_entries",
            "contact_payments",
            "contact_allocations",
            "other_payments",
            "bank_accounts",
            "bank_transfers",
            "bank_deposits",
            "journals",
            "products",
            "services",
            "stock_items",
          ].includes(n),
        ).length;
      expect(requests).toBeLessThanOrEqual(1 + 2 * perBusiness);
      expect(Object.values(rowCountsOf(quiet.stdout)).reduce<number>((a, b) => a + (b ?? 0), 0)).toBe(2); // the two settings singletons

      const b0 = sb.store.businesses[0]!.id;
      const before = sb.store.count(b0, "sales_invoices");
      const change = sb.mutate({ business: b0, resource: "sales_invoices", updates: 5, creates: 3, deletes: 2 });
      const r = await runCli(["run", "--no-progress", "--json"], cwd, env);
      expect(r.status, r.stderr).toBe(0);
      const ds = readDataset(cwd, "sage_accounting_pipeline.duckdb", "sage_accounting_data");
      const live = await ds
        .sql(`select count(*) as n from sales_invoices where business_id = '${b0}' and deleted_at is null`)
        .rows();
      expect(live[0]!.n).toBe(before + 3 - 2);
      expect(live[0]!.n).toBe(sb.store.count(b0, "sales_invoices"));
      const deleted = await ds
        .sql(`select id from sales_invoices where business_id = '${b0}' and deleted_at is not null order by id`)
        .rows();
      expect(deleted.map((d) => d.id)).toEqual([...change.deleted].sort());
      for (const id of change.updated) {
        const api = sb.store.record(b0, "sales_invoices", id) as unknown as ApiInvoice;
        const row = (await ds.sql(`select total_amount, updated_at from sales_invoices where id = '${id}'`).rows())[0]!;
        expect(Number(row.total_amount)).toBe(Number(api.total_amount));
        expect((row.updated_at as Date).toISOString().replace(".000Z", "Z")).toBe(api.updated_at);
      }
    },
    E2E_TIMEOUT_MS,
  );

  it(
    "--resources takes the seed's aliases and any catalog endpoint, not only the defaults",
    async () => {
      const r = await runCli(
        ["run", "--no-progress", "--json", "--resources", "invoices,sales_quotes", "--pipeline-name", "narrow"],
        cwd,
        env,
      );
      expect(r.status, r.stderr).toBe(0);
      const counts = rowCountsOf(r.stdout);
      const expected = (name: string) => sb.store.businesses.reduce((a, b) => a + sb.store.count(b.id, name), 0);
      expect(counts.sales_invoices).toBe(expected("sales_invoices"));
      expect(counts.purchase_invoices).toBe(expected("purchase_invoices"));
      expect(counts.sales_quotes).toBe(expected("sales_quotes"));
      expect(
        Object.keys(counts)
          .filter((t) => !t.includes("__"))
          .sort(),
      ).toEqual(["purchase_invoices", "sales_invoices", "sales_quotes"]);
      // Incremental: only the overlap window is read again (rows changed in the last minutes of the
      // previous run's clock). With --full-refresh: everything again. Merge keeps rows unique.
      const again = await runCli(
        ["run", "--no-progress", "--json", "--resources", "invoices,sales_quotes", "--pipeline-name", "narrow"],
        cwd,
        env,
      );
      expect(rowCountsOf(again.stdout).sales_invoices ?? 0).toBeLessThan(expected("sales_invoices") / 4);
      const full = await runCli(
        ["run", "--no-progress", "--json", "--full-refresh", "--resources", "invoices,sales_quotes", "--pipeline-name", "narrow"],
        cwd,
        env,
      );
      expect(rowCountsOf(full.stdout).sales_invoices).toBe(expected("sales_invoices"));
      const ds = readDataset(cwd, "narrow.duckdb", "sage_accounting_data");
      expect(await ds.table("sales_invoices").where("deleted_at is null").count()).toBe(expected("sales_invoices"));
      const typo = await runCli(["run", "--no-progress", "--resources", "sales_invoice"], cwd, env);
      expect(typo.status).toBe(2);
      expect(typo.stderr).toContain('Did you mean "sales_invoices"');
    },
    E2E_TIMEOUT_MS,
  );
});
