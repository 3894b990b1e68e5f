import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import type { DestinationClient } from "../../src/destinations/index.js";
import { DataTestsFailedError, loadModels } from "../../src/models/index.js";
import type { Pipeline } from "../../src/pipeline/index.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { tempDir } from "../helpers/tmp-pipeline.js";
import { expectBooksMatchSandbox } from "./books.js";
import { loadSandbox, startBooksSandbox, tamper } from "./sandbox-books.js";

const dir = tempDir("sp-books-duck-");
const file = join(dir, "ledger.duckdb");
let sb: Sandbox;
let p: Pipeline;
/** One connection for the tests' queries (opening the file per query costs more than the queries). */
let client: DestinationClient;

beforeAll(async () => {
  sb = await startBooksSandbox();
  p = await loadSandbox(sb, dir, duckdb({ credentials: file }), "books_duck");
  client = await duckdb({ credentials: file }).connect({ datasetName: "books", pipelineName: "books_duck", workingDir: dir });
}, 120_000);
afterAll(async () => {
  await client.close();
  await sb.close();
});

const rows = (q: string) => client.query(q);

describe("accounting models on DuckDB", () => {
  it("build every model, pass the data tests, and match the books computed from the sandbox's records", async () => {
    const info = await p.runModels();
    expect(info.passed, String(info)).toBe(true);
    expect(info.tests.map((t) => t.name).sort()).toEqual([
      "ar_aging_matches_outstanding",
      "balance_sheet_balances",
      "ledger_entries_have_accounts",
      "transactions_balance",
      "trial_balance_sums_to_zero",
    ]);
    // The load date as Sage's server saw it (the sandbox's data clock), not this machine's.
    expect(info.asOfDate).toBe(sb.now().slice(0, 10));
    await expectBooksMatchSandbox(client, sb, info.asOfDate);
  });

  it("have the columns their headers list (what `models list` shows), DECIMAL money and the exact trial balance columns", async () => {
    for (const m of loadModels("duckdb")) {
      const cols = await rows(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'books' AND table_name = '${m.name}' ORDER BY ordinal_position`,
      );
      expect(
        cols.map((c) => c.column_name),
        m.name,
      ).toEqual(m.columns.map((c) => c.name));
      for (const c of cols) {
        if (/amount|debit|credit|balance|difference/.test(String(c.column_name)) && !/days/.test(String(c.column_name))) {
          expect(c.data_type, `${m.name}.${String(c.column_name)}`).toBe("DECIMAL(38,9)");
        }
      }
    }
    const tb = loadModels("duckdb").find((m) => m.name === "sage__trial_balance")!;
    expect(tb.columns.map((c) => c.name)).toEqual([
      "business_id",
      "ledger_account_id",
      "period_month",
      "opening_balance",
      "debit",
      "credit",
      "closing_balance",
    ]);
  });

  it("use each business's own financial year: March, December and February (29th in leap years) year ends, three base currencies", async () => {
    const ends = await rows(
      `SELECT business_id, base_currency, financial_year_end FROM sage__financial_periods WHERE period_month = '2024-02-01' ORDER BY business_id`,
    );
    const byCurrency = new Map(ends.map((r) => [r.base_currency, String(r.financial_year_end)]));
    expect(byCurrency).toEqual(
      new Map([
        ["GBP", "2024-03-31"],
        ["EUR", "2024-12-31"],
        ["CAD", "2024-02-29"],
      ]),
    );
    const next = await rows(
      `SELECT DISTINCT financial_year_end FROM sage__financial_periods WHERE base_currency = 'CAD' ORDER BY 1`,
    );
    expect(next.map((r) => String(r.financial_year_end))).toContain("2025-02-28");
    // The first month after a year end starts the new year's earnings from zero.
    const march = await rows(
      `SELECT b.amount, p.profit FROM sage__balance_sheet_by_month AS b
       JOIN (SELECT business_id, SUM(profit_amount) AS profit FROM sage__profit_and_loss_by_month WHERE period_month = '2024-03-01' GROUP BY business_id) AS p
         ON p.business_id = b.business_id
       WHERE b.base_currency = 'CAD' AND b.period_month = '2024-03-01' AND b.line_type = 'CURRENT_YEAR_EARNINGS'`,
    );
    expect(march).toHaveLength(1);
    expect(march[0]!.amount).toBe(march[0]!.profit);
  });

  it("age debtors as of an earlier date from the payments and allocations dated before it", async () => {
    const earlier = new Date(Date.parse(sb.now()) - 75 * 86_400_000).toISOString().slice(0, 10);
    const info = await p.runModels({ asOfDate: earlier });
    expect(info.passed, String(info)).toBe(true);
    await expectBooksMatchSandbox(client, sb, earlier);
  });

  // A second load costs most of this file's time: the long form runs it (npm run test:reliability).
  it.runIf(process.env.SAGE_RELIABILITY === "long")(
    "fold new, changed and deleted entries into the ledger incrementally, with the same result as a rebuild",
    async () => {
      sb.mutate({ business: 0, resource: "sales_invoices", creates: 4, updates: 3, deletes: 1 });
      sb.mutate({ business: 2, resource: "purchase_invoices", creates: 2, updates: 2 });
      p = await loadSandbox(sb, dir, duckdb({ credentials: file }), "books_duck");
      const info = await p.runModels();
      expect(info.models.find((m) => m.name === "sage__general_ledger")?.mode).toBe("incremental");
      expect(info.passed, String(info)).toBe(true);
      await expectBooksMatchSandbox(client, sb, info.asOfDate);
      const summary =
        "SELECT COUNT(*) AS n, SUM(debit) AS d, SUM(ABS(amount)) AS a, COUNT(DISTINCT transaction_id) AS t FROM sage__general_ledger";
      const incremental = await rows(summary);
      const full = await p.runModels({ fullRefresh: true });
      expect(full.models.find((m) => m.name === "sage__general_ledger")?.mode).toBe("rebuilt");
      expect(await rows(summary)).toEqual(incremental);
    },
    120_000,
  );

  it("fail loudly, naming business, period and difference, when the books do not balance", async () => {
    const [entry] = await client.query(
      "SELECT id, business_id, date FROM ledger_entries WHERE debit > 0 AND deleted IS NOT TRUE LIMIT 1",
    );
    await tamper(client, `UPDATE ledger_entries SET debit = debit + 1.5 WHERE id = '${String(entry!.id)}'`);
    const err = await p.runModels({ fullRefresh: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataTestsFailedError);
    const info = (err as DataTestsFailedError).info;
    const failed = new Map(info.failedTests.map((t) => [t.name, t.failures]));
    expect([...failed.keys()].sort()).toEqual(["balance_sheet_balances", "transactions_balance", "trial_balance_sums_to_zero"]);
    const tx = failed.get("transactions_balance")!;
    expect(tx).toHaveLength(1);
    expect(tx[0]).toMatchObject({ businessId: entry!.business_id, difference: "1.500000000" });
    const month = `${String(entry!.date).slice(0, 7)}-01`;
    expect(failed.get("trial_balance_sums_to_zero")![0]).toMatchObject({
      businessId: entry!.business_id,
      period: month,
      difference: "1.500000000",
    });
    expect(String(info)).toContain(`business ${String(entry!.business_id)}, period ${month}: difference 1.500000000`);
    expect((err as Error).message).toContain("3 data test(s) failed");
    const recorded = await rows("SELECT test_name, status FROM sage__data_tests WHERE status = 'fail'");
    expect(recorded.length).toBeGreaterThanOrEqual(3);
  });
});
