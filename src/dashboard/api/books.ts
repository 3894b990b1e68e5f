import type { QuerySession } from "../../destinations/query-session.js";
import { ConfigError } from "../../util/errors.js";
import { type PipelineAccess, quoteText } from "./access.js";

/** The model tables the Books view reads (src/models builds them with `sage-pipeline models run`). */
export const BOOKS_TABLES = [
  "sage__financial_periods",
  "sage__profit_and_loss_by_month",
  "sage__balance_sheet_by_month",
  "sage__ar_aging",
  "sage__ap_aging",
  "sage__data_tests",
] as const;

/** Months of balance sheet lines the table shows (the chart shows every month). */
const BALANCE_SHEET_MONTHS = 6;

type Rows = Array<Record<string, unknown>>;

async function rows(s: QuerySession, sql: string): Promise<Rows> {
  const answer = await s.query(sql);
  if (answer.truncated) {
    throw new ConfigError(`the Books view needs more rows than [query] max_rows allows (${answer.rows.length})`, {
      hint: "raise max_rows in the [query] section of .dlt/config.toml",
    });
  }
  return answer.rows;
}

/** Aging totals per bucket, and the contacts owing (or owed) the most, for one business. */
async function aging(
  s: QuerySession,
  table: "sage__ar_aging" | "sage__ap_aging",
  business: string,
): Promise<Record<string, unknown>> {
  const where = `WHERE business_id = ${quoteText(business)}`;
  const sums = `SUM(bucket_0_30) AS bucket_0_30, SUM(bucket_31_60) AS bucket_31_60, SUM(bucket_61_90) AS bucket_61_90, SUM(bucket_over_90) AS bucket_over_90, SUM(base_currency_outstanding_amount) AS total`;
  const [totals] = await rows(
    s,
    `SELECT CAST(MAX(as_of_date) AS VARCHAR) AS as_of_date, COUNT(*) AS documents, ${sums} FROM ${table} ${where}`,
  );
  const contacts = await rows(
    s,
    `SELECT contact_name, COUNT(*) AS documents, ${sums} FROM ${table} ${where} GROUP BY contact_name ORDER BY SUM(base_currency_outstanding_amount) DESC, contact_name LIMIT 10`,
  );
  return { totals: totals ?? {}, contacts };
}

/**
 * The Books of one business (default: the first): P&L per month and account type, the balance
 * sheet per month and section (lines for the latest months), aged debtors and creditors, and the
 * data tests' results of the last models run. Sums are exact DECIMALs, sent as the database's text.
 */
export async function booksView(access: PipelineAccess, name: string, business: string | null): Promise<Record<string, unknown>> {
  return access.withSession(name, async (s) => {
    const tables = new Set(await s.tableNames());
    const missing = BOOKS_TABLES.filter((t) => !tables.has(t));
    if (missing.length > 0) {
      return {
        modelsRun: false,
        missing,
        message: `the accounting models have not been built in dataset ${s.datasetName}: run \`sage-pipeline models run ${name}\``,
      };
    }
    const businesses = await rows(
      s,
      `SELECT business_id, MAX(base_currency) AS base_currency, CAST(MIN(period_month) AS VARCHAR) AS first_month, CAST(MAX(period_month) AS VARCHAR) AS last_month, CAST(MAX(financial_year_end) AS VARCHAR) AS last_year_end FROM sage__financial_periods GROUP BY business_id ORDER BY business_id`,
    );
    const chosen = business ?? (businesses[0]?.business_id as string | undefined) ?? null;
    if (chosen !== null && !businesses.some((b) => b.business_id === chosen)) {
      throw new ConfigError(`no business ${JSON.stringify(chosen)} in the models of dataset ${s.datasetName}`);
    }
    const tests = await rows(
      s,
      `SELECT test_name, status, business_id, period, CAST(difference AS VARCHAR) AS difference, detail, checked_at FROM sage__data_tests ORDER BY test_name, business_id, period`,
    );
    const builtAt = tables.has("_sage_models")
      ? ((await rows(s, "SELECT MAX(built_at) AS built_at FROM _sage_models"))[0]?.built_at ?? null)
      : null;
    if (chosen === null) return { modelsRun: true, businesses, business: null, tests, builtAt };
    const b = quoteText(chosen);
    const profitAndLoss = await rows(
      s,
      `SELECT CAST(period_month AS VARCHAR) AS period_month, account_class, ledger_account_type, SUM(report_amount) AS amount, SUM(profit_amount) AS profit FROM sage__profit_and_loss_by_month WHERE business_id = ${b} GROUP BY period_month, account_class, ledger_account_type ORDER BY period_month, account_class DESC, ledger_account_type`,
    );
    const balanceTotals = await rows(
      s,
      `SELECT CAST(period_month AS VARCHAR) AS period_month, section, SUM(amount) AS amount FROM sage__balance_sheet_by_month WHERE business_id = ${b} GROUP BY period_month, section ORDER BY period_month, section`,
    );
    const balanceLines = await rows(
      s,
      `SELECT CAST(period_month AS VARCHAR) AS period_month, section, line_type, nominal_code, line_name, amount FROM sage__balance_sheet_by_month WHERE business_id = ${b} AND period_month IN (SELECT DISTINCT period_month FROM sage__balance_sheet_by_month WHERE business_id = ${b} ORDER BY period_month DESC LIMIT ${BALANCE_SHEET_MONTHS}) ORDER BY section, line_type, nominal_code, line_name, period_month`,
    );
    return {
      modelsRun: true,
      businesses,
      business: chosen,
      builtAt,
      tests,
      profitAndLoss,
      balanceSheet: { totals: balanceTotals, lines: balanceLines },
      debtors: await aging(s, "sage__ar_aging", chosen),
      creditors: await aging(s, "sage__ap_aging", chosen),
    };
  });
}
