-- model: sage__profit_and_loss_by_month
-- description: Income and expenses per business, month and ledger account (months with postings), with the financial year each month falls in. profit_amount is credit minus debit, so it sums to the net profit; report_amount is the amount as a P&L shows it (income and expenses both positive).
-- depends_on: sage__general_ledger, sage__financial_periods
-- materialization: table
-- columns:
--   business_id: the Sage business
--   period_month: first day of the month
--   financial_year_start: first day of the month's financial year
--   financial_year_end: last day of the month's financial year
--   account_class: INCOME or EXPENSE
--   ledger_account_type: Sage's ledger account type id (SALES, OTHER_INCOME, DIRECT_EXPENSES, OVERHEADS, DEPRECIATION)
--   ledger_account_id: the ledger account
--   nominal_code: the account's nominal code
--   ledger_account_name: the account's name
--   debit: debits posted in the month, base currency
--   credit: credits posted in the month, base currency
--   profit_amount: credit minus debit (income positive, expenses negative)
--   report_amount: the amount as the P&L shows it (income credit-positive, expenses debit-positive)
--   base_currency: the business's base currency
SELECT
  g.business_id,
  g.period_month,
  p.financial_year_start,
  p.financial_year_end,
  g.account_class,
  g.ledger_account_type,
  g.ledger_account_id,
  g.nominal_code,
  g.ledger_account_name,
  CAST(SUM(g.debit) AS DECIMAL(38, 9)) AS debit,
  CAST(SUM(g.credit) AS DECIMAL(38, 9)) AS credit,
  CAST(SUM(g.credit - g.debit) AS DECIMAL(38, 9)) AS profit_amount,
  CAST(CASE WHEN g.account_class = 'INCOME' THEN SUM(g.credit - g.debit) ELSE SUM(g.debit - g.credit) END AS DECIMAL(38, 9))
    AS report_amount,
  p.base_currency
FROM sage__general_ledger AS g
JOIN sage__financial_periods AS p ON p.business_id = g.business_id AND p.period_month = g.period_month
WHERE g.statement = 'PROFIT_AND_LOSS'
GROUP BY
  g.business_id, g.period_month, p.financial_year_start, p.financial_year_end, g.account_class,
  g.ledger_account_type, g.ledger_account_id, g.nominal_code, g.ledger_account_name, p.base_currency
