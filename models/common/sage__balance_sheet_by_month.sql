-- model: sage__balance_sheet_by_month
-- description: The balance sheet at the end of every month of every business: one row per balance sheet account with a balance, plus the P&L split at the business's own year end into current-year earnings (since the start of the month's financial year) and retained earnings (all years before it). Assets equal liabilities plus equity in every month.
-- depends_on: sage__trial_balance, sage__ledger_accounts, sage__financial_periods, sage__profit_and_loss_by_month
-- materialization: table
-- columns:
--   business_id: the Sage business
--   period_month: first day of the month (balances are as at its last day)
--   financial_year_start: first day of the month's financial year
--   financial_year_end: last day of the month's financial year
--   section: ASSET, LIABILITY or EQUITY
--   line_type: ACCOUNT, CURRENT_YEAR_EARNINGS or RETAINED_EARNINGS
--   ledger_account_type: Sage's ledger account type id (NULL for the earnings lines)
--   ledger_account_id: the ledger account (NULL for the earnings lines)
--   nominal_code: the account's nominal code
--   line_name: the account's name, or Current year earnings / Retained earnings
--   closing_balance: balance at the month's end, debit-positive
--   amount: the balance as the balance sheet shows it (assets debit-positive, liabilities and equity credit-positive)
--   base_currency: the business's base currency
WITH accounts AS (
  SELECT
    t.business_id,
    t.period_month,
    a.account_class AS section,
    'ACCOUNT' AS line_type,
    a.ledger_account_type,
    t.ledger_account_id,
    a.nominal_code,
    a.ledger_account_name AS line_name,
    t.closing_balance
  FROM sage__trial_balance AS t
  JOIN sage__ledger_accounts AS a ON a.business_id = t.business_id AND a.ledger_account_id = t.ledger_account_id
  WHERE a.statement = 'BALANCE_SHEET'
),
profit AS (
  SELECT business_id, period_month, SUM(profit_amount) AS profit
  FROM sage__profit_and_loss_by_month
  GROUP BY business_id, period_month
),
earnings AS (
  -- For each month: profit from its financial year's start to it, and profit of all earlier years.
  SELECT
    p.business_id,
    p.period_month,
    SUM(CASE WHEN q.period_month >= p.financial_year_start THEN q.profit ELSE 0 END) AS current_year,
    SUM(CASE WHEN q.period_month < p.financial_year_start THEN q.profit ELSE 0 END) AS retained
  FROM sage__financial_periods AS p
  LEFT JOIN profit AS q ON q.business_id = p.business_id AND q.period_month <= p.period_month
  GROUP BY p.business_id, p.period_month
),
lines AS (
  SELECT * FROM accounts
  UNION ALL
  SELECT business_id, period_month, 'EQUITY', 'CURRENT_YEAR_EARNINGS', NULL, NULL, NULL, 'Current year earnings',
    -COALESCE(current_year, 0)
  FROM earnings
  UNION ALL
  SELECT business_id, period_month, 'EQUITY', 'RETAINED_EARNINGS', NULL, NULL, NULL, 'Retained earnings', -COALESCE(retained, 0)
  FROM earnings
)
SELECT
  l.business_id,
  l.period_month,
  p.financial_year_start,
  p.financial_year_end,
  l.section,
  l.line_type,
  l.ledger_account_type,
  l.ledger_account_id,
  l.nominal_code,
  l.line_name,
  CAST(l.closing_balance AS DECIMAL(38, 9)) AS closing_balance,
  CAST(CASE WHEN l.section = 'ASSET' THEN l.closing_balance ELSE -l.closing_balance END AS DECIMAL(38, 9)) AS amount,
  p.base_currency
FROM lines AS l
JOIN sage__financial_periods AS p ON p.business_id = l.business_id AND p.period_month = l.period_month
