-- model: sage__trial_balance
-- description: Per business, ledger account and month: opening balance, debits, credits and closing balance (debit-positive, base currency). Dense: every account with an entry has a row for every month from its first entry to the business's latest month, so the latest month holds the balance of every account.
-- depends_on: sage__general_ledger
-- materialization: table
-- columns:
--   business_id: the Sage business
--   ledger_account_id: the ledger account
--   period_month: first day of the month
--   opening_balance: balance at the start of the month (debit-positive)
--   debit: debits posted in the month
--   credit: credits posted in the month
--   closing_balance: balance at the end of the month (debit-positive)
WITH RECURSIVE
monthly AS (
  SELECT business_id, ledger_account_id, period_month, SUM(debit) AS debit, SUM(credit) AS credit
  FROM sage__general_ledger
  WHERE ledger_account_id IS NOT NULL
  GROUP BY business_id, ledger_account_id, period_month
),
latest AS (
  SELECT business_id, MAX(period_month) AS last_month FROM monthly GROUP BY business_id
),
spans AS (
  SELECT m.business_id, m.ledger_account_id, MIN(m.period_month) AS first_month, l.last_month
  FROM monthly AS m
  JOIN latest AS l ON l.business_id = m.business_id
  GROUP BY m.business_id, m.ledger_account_id, l.last_month
),
months AS (
  SELECT business_id, ledger_account_id, first_month AS period_month, last_month FROM spans
  UNION ALL
  SELECT business_id, ledger_account_id, CAST(period_month + INTERVAL '1 month' AS DATE), last_month
  FROM months
  WHERE period_month < last_month
),
dense AS (
  SELECT
    s.business_id,
    s.ledger_account_id,
    s.period_month,
    COALESCE(m.debit, 0) AS debit,
    COALESCE(m.credit, 0) AS credit
  FROM months AS s
  LEFT JOIN monthly AS m
    ON m.business_id = s.business_id AND m.ledger_account_id = s.ledger_account_id AND m.period_month = s.period_month
)
SELECT
  business_id,
  ledger_account_id,
  period_month,
  CAST(SUM(debit - credit) OVER running - (debit - credit) AS DECIMAL(38, 9)) AS opening_balance,
  CAST(debit AS DECIMAL(38, 9)) AS debit,
  CAST(credit AS DECIMAL(38, 9)) AS credit,
  CAST(SUM(debit - credit) OVER running AS DECIMAL(38, 9)) AS closing_balance
FROM dense
WINDOW running AS (PARTITION BY business_id, ledger_account_id ORDER BY period_month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
