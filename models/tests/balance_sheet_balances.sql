-- test: balance_sheet_balances
-- description: The balance sheet balances in every month: assets equal liabilities plus equity, current-year earnings included.
-- depends_on: sage__balance_sheet_by_month
SELECT
  business_id,
  CAST(period_month AS VARCHAR) AS period,
  CAST(SUM(CASE WHEN section = 'ASSET' THEN amount ELSE -amount END) AS DECIMAL(38, 9)) AS difference,
  'assets ' || CAST(SUM(CASE WHEN section = 'ASSET' THEN amount ELSE 0 END) AS VARCHAR) || ', liabilities + equity '
    || CAST(SUM(CASE WHEN section = 'ASSET' THEN 0 ELSE amount END) AS VARCHAR) AS detail
FROM sage__balance_sheet_by_month
GROUP BY business_id, period_month
HAVING SUM(CASE WHEN section = 'ASSET' THEN amount ELSE -amount END) <> 0
ORDER BY 1, 2, 4
