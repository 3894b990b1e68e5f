-- model: sage__ledger_accounts
-- description: The chart of accounts of every business, with the class and statement each Sage ledger account type belongs to.
-- reads: ledger_accounts
-- materialization: table
-- columns:
--   business_id: the Sage business
--   ledger_account_id: Sage's id of the ledger account
--   nominal_code: the account's nominal code
--   ledger_account_name: the account's name
--   ledger_account_type: Sage's ledger account type id (SALES, OVERHEADS, BANK, CURRENT_LIABILITY, ...)
--   ledger_account_type_name: the type as Sage displays it
--   account_class: ASSET, LIABILITY, EQUITY, INCOME or EXPENSE (from the type)
--   statement: BALANCE_SHEET or PROFIT_AND_LOSS
SELECT
  a.business_id,
  a.id AS ledger_account_id,
  a.nominal_code,
  a.name AS ledger_account_name,
  a.ledger_account_type__id AS ledger_account_type,
  a.ledger_account_type__displayed_as AS ledger_account_type_name,
  c.account_class,
  CASE WHEN c.account_class IN ('INCOME', 'EXPENSE') THEN 'PROFIT_AND_LOSS' ELSE 'BALANCE_SHEET' END AS statement
FROM ledger_accounts AS a
LEFT JOIN (
  -- Sage's ledger account types (v3.1 /ledger_account_types) and the class each reports under.
  SELECT 'SALES' AS ledger_account_type, 'INCOME' AS account_class
  UNION ALL SELECT 'OTHER_INCOME', 'INCOME'
  UNION ALL SELECT 'DIRECT_EXPENSES', 'EXPENSE'
  UNION ALL SELECT 'OVERHEADS', 'EXPENSE'
  UNION ALL SELECT 'DEPRECIATION', 'EXPENSE'
  UNION ALL SELECT 'CURRENT_ASSETS', 'ASSET'
  UNION ALL SELECT 'FIXED_ASSETS', 'ASSET'
  UNION ALL SELECT 'BANK', 'ASSET'
  UNION ALL SELECT 'CURRENT_LIABILITY', 'LIABILITY'
  UNION ALL SELECT 'FUTURE_LIABILITY', 'LIABILITY'
  UNION ALL SELECT 'LT_LIABILITY', 'LIABILITY'
  UNION ALL SELECT 'LINE_OF_CREDIT', 'LIABILITY'
  UNION ALL SELECT 'EQUITY', 'EQUITY'
) AS c ON c.ledger_account_type = a.ledger_account_type__id
