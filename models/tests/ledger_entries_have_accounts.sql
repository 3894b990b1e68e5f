-- test: ledger_entries_have_accounts
-- description: No ledger entry without an account: every entry names a ledger account that is in ledger_accounts and has a known type.
-- depends_on: sage__general_ledger
SELECT
  business_id,
  CAST(period_month AS VARCHAR) AS period,
  CAST(SUM(amount) AS DECIMAL(38, 9)) AS difference,
  CAST(COUNT(*) AS VARCHAR) || ' entries ' || CASE
    WHEN ledger_account_id IS NULL THEN 'without a ledger account'
    WHEN nominal_code IS NULL THEN 'on ledger account ' || ledger_account_id || ', which is not in ledger_accounts'
    ELSE 'on ledger account ' || ledger_account_id || ' of unknown type ' || COALESCE(ledger_account_type, 'NULL')
  END AS detail
FROM sage__general_ledger
WHERE ledger_account_id IS NULL OR nominal_code IS NULL OR account_class IS NULL
GROUP BY business_id, period_month, ledger_account_id, nominal_code, ledger_account_type
ORDER BY 1, 2, 4
