import { expect } from "vitest";
import type { DestinationClient } from "../../src/destinations/index.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { cents, expectedArAging, expectedBooks, financialYearEnd } from "./sandbox-books.js";

type Rows = Array<Record<string, unknown>>;
const sql = async (c: DestinationClient, q: string): Promise<Rows> => c.query(q);

/**
 * The reports in the dataset against the books computed from the sandbox's own records: account
 * balances, profit per financial year, the earnings split at each business's year end, and the
 * aged debtors as of a date.
 */
export async function expectBooksMatchSandbox(p: DestinationClient, sb: Sandbox, asOf: string): Promise<void> {
  const expected = expectedBooks(sb);
  for (const b of expected) {
    const tb = await sql(
      p,
      `SELECT a.nominal_code, t.closing_balance, t.period_month FROM sage__trial_balance AS t
       JOIN sage__ledger_accounts AS a ON a.business_id = t.business_id AND a.ledger_account_id = t.ledger_account_id
       WHERE t.business_id = '${b.businessId}' AND t.period_month = (SELECT MAX(period_month) FROM sage__trial_balance WHERE business_id = '${b.businessId}')`,
    );
    const got = new Map(tb.map((r) => [Number(r.nominal_code), cents(r.closing_balance)]));
    // Dense: every account that ever had an entry is in the latest month.
    expect(new Set(got.keys())).toEqual(new Set(b.balances.keys()));
    for (const [nominal, balance] of b.balances) expect(got.get(nominal), `${b.businessId} ${nominal}`).toBe(balance);
    expect(String(tb[0]?.period_month)).toBe(b.latestMonth);

    const pl = await sql(
      p,
      `SELECT financial_year_end, SUM(profit_amount) AS profit FROM sage__profit_and_loss_by_month
       WHERE business_id = '${b.businessId}' GROUP BY financial_year_end`,
    );
    expect(new Map(pl.map((r) => [String(r.financial_year_end), cents(r.profit)]))).toEqual(b.profitByYear);

    const bs = await sql(
      p,
      `SELECT line_type, amount, financial_year_end, base_currency FROM sage__balance_sheet_by_month
       WHERE business_id = '${b.businessId}' AND period_month = '${b.latestMonth}' AND line_type <> 'ACCOUNT'`,
    );
    const line = (t: string) => bs.find((r) => r.line_type === t)!;
    expect(cents(line("CURRENT_YEAR_EARNINGS").amount)).toBe(b.currentYearEarnings);
    expect(cents(line("RETAINED_EARNINGS").amount)).toBe(b.retainedEarnings);
    expect(String(line("RETAINED_EARNINGS").financial_year_end)).toBe(financialYearEnd(b.latestMonth, b.yearEndMonth));
    expect(line("RETAINED_EARNINGS").base_currency).toBe(b.currency);
  }

  const aging = expectedArAging(sb, asOf);
  const ar = await sql(
    p,
    `SELECT business_id, aging_bucket, SUM(outstanding_amount) AS outstanding, MIN(as_of_date) AS as_of
     FROM sage__ar_aging GROUP BY business_id, aging_bucket`,
  );
  const got = new Map<string, Map<string, number>>();
  for (const r of ar) {
    expect(String(r.as_of)).toBe(asOf);
    const m = got.get(String(r.business_id)) ?? new Map<string, number>();
    m.set(String(r.aging_bucket), cents(r.outstanding));
    got.set(String(r.business_id), m);
  }
  for (const [id, buckets] of aging) expect(got.get(id) ?? new Map(), id).toEqual(buckets);
}
