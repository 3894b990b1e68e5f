-- test: transactions_balance
-- description: Every transaction's debits equal its credits.
-- depends_on: sage__general_ledger
SELECT
  business_id,
  CAST(MIN(entry_date) AS VARCHAR) AS period,
  CAST(SUM(debit) - SUM(credit) AS DECIMAL(38, 9)) AS difference,
  'transaction ' || transaction_id || ' (' || COALESCE(MIN(transaction_type), '?') || '): debits ' || CAST(SUM(debit) AS VARCHAR)
    || ', credits ' || CAST(SUM(credit) AS VARCHAR) AS detail
FROM sage__general_ledger
GROUP BY business_id, transaction_id
HAVING SUM(debit) <> SUM(credit)
ORDER BY 1, 2, 4
