-- test: trial_balance_sums_to_zero
-- description: The trial balance sums to zero per business and month: debits equal credits in the month, and the closing balances net to zero.
-- depends_on: sage__trial_balance
SELECT
  business_id,
  CAST(period_month AS VARCHAR) AS period,
  CAST(SUM(closing_balance) AS DECIMAL(38, 9)) AS difference,
  'closing balances net to ' || CAST(SUM(closing_balance) AS VARCHAR) || '; month debits ' || CAST(SUM(debit) AS VARCHAR)
    || ', credits ' || CAST(SUM(credit) AS VARCHAR) AS detail
FROM sage__trial_balance
GROUP BY business_id, period_month
HAVING SUM(closing_balance) <> 0 OR SUM(debit) <> SUM(credit)
ORDER BY 1, 2, 4
