-- model: sage__general_ledger
-- description: One row per ledger entry, deleted entries (and entries of deleted transactions) excluded, with the account, transaction and contact by name. Amounts are in the business's base currency, as Sage posts them.
-- reads: ledger_entries, transactions, ledger_accounts, contacts
-- depends_on: sage__ledger_accounts
-- materialization: incremental
-- unique_key: ledger_entry_id
-- columns:
--   business_id: the Sage business
--   ledger_entry_id: Sage's id of the ledger entry
--   entry_date: the date the entry posts on
--   period_month: first day of the entry's month
--   ledger_account_id: the account posted to (NULL only when the entry names none; a data test fails then)
--   nominal_code: the account's nominal code (NULL when the account is not in ledger_accounts)
--   ledger_account_name: the account's name
--   ledger_account_type: Sage's ledger account type id
--   account_class: ASSET, LIABILITY, EQUITY, INCOME or EXPENSE
--   statement: BALANCE_SHEET or PROFIT_AND_LOSS
--   transaction_id: the transaction the entry belongs to
--   transaction_type: Sage's transaction type id (SALES_INVOICE, CUSTOMER_RECEIPT, JOURNAL, ...)
--   transaction_type_name: the transaction type as Sage displays it
--   transaction_reference: the transaction's reference
--   contact_id: the contact of the entry, else of its transaction
--   contact_name: the contact's name
--   debit: debit amount, base currency
--   credit: credit amount, base currency
--   amount: debit minus credit (debit-positive), base currency
--   description: the entry's description
--   tax_rate_id: the tax rate of the entry, when it has one
--   transaction_currency: the currency of the document behind the transaction
--   transaction_total: the transaction's total, base currency
--   transaction_total_in_transaction_currency: the transaction's total in its own currency
SELECT
  e.business_id,
  e.id AS ledger_entry_id,
  e.date AS entry_date,
  CAST(date_trunc('month', e.date) AS DATE) AS period_month,
  e.ledger_account__id AS ledger_account_id,
  a.nominal_code,
  a.ledger_account_name,
  a.ledger_account_type,
  a.account_class,
  a.statement,
  e.transaction__id AS transaction_id,
  t.transaction_type__id AS transaction_type,
  t.transaction_type__displayed_as AS transaction_type_name,
  t.reference AS transaction_reference,
  COALESCE(e.contact__id, t.contact__id) AS contact_id,
  c.name AS contact_name,
  CAST(COALESCE(e.debit, 0) AS DECIMAL(38, 9)) AS debit,
  CAST(COALESCE(e.credit, 0) AS DECIMAL(38, 9)) AS credit,
  CAST(COALESCE(e.debit, 0) - COALESCE(e.credit, 0) AS DECIMAL(38, 9)) AS amount,
  e.description,
  e.tax_rate__id AS tax_rate_id,
  t.origin__currency__id AS transaction_currency,
  CAST(t.total AS DECIMAL(38, 9)) AS transaction_total,
  CAST(t.total_in_transaction_currency AS DECIMAL(38, 9)) AS transaction_total_in_transaction_currency
FROM ledger_entries AS e
LEFT JOIN sage__ledger_accounts AS a ON a.business_id = e.business_id AND a.ledger_account_id = e.ledger_account__id
LEFT JOIN transactions AS t ON t.business_id = e.business_id AND t.id = e.transaction__id
LEFT JOIN contacts AS c ON c.business_id = e.business_id AND c.id = COALESCE(e.contact__id, t.contact__id)
WHERE e.deleted IS NOT TRUE AND t.deleted IS NOT TRUE

-- @incremental
-- Entries whose row, transaction, account or contact was loaded since the last run are derived
-- again (a back-dated edit included); entries gone from ledger_entries leave. The rest stays.
DELETE FROM sage__general_ledger
WHERE EXISTS (
    SELECT 1 FROM _sage_changed_keys AS k
    WHERE k.business_id = sage__general_ledger.business_id AND k.ledger_entry_id = sage__general_ledger.ledger_entry_id
  )
  OR NOT EXISTS (
    SELECT 1 FROM ledger_entries AS e
    WHERE e.business_id = sage__general_ledger.business_id AND e.id = sage__general_ledger.ledger_entry_id
  );
INSERT INTO sage__general_ledger
SELECT m.* FROM _sage_model_select AS m
JOIN _sage_changed_keys AS k ON k.business_id = m.business_id AND k.ledger_entry_id = m.ledger_entry_id;

-- @changed_keys
SELECT DISTINCT e.business_id, e.id AS ledger_entry_id
FROM ledger_entries AS e
LEFT JOIN transactions AS t ON t.business_id = e.business_id AND t.id = e.transaction__id
LEFT JOIN ledger_accounts AS a ON a.business_id = e.business_id AND a.id = e.ledger_account__id
LEFT JOIN contacts AS c ON c.business_id = e.business_id AND c.id = COALESCE(e.contact__id, t.contact__id)
WHERE e._dlt_load_id > (SELECT since_load_id FROM _sage_models_params)
  OR t._dlt_load_id > (SELECT since_load_id FROM _sage_models_params)
  OR a._dlt_load_id > (SELECT since_load_id FROM _sage_models_params)
  OR c._dlt_load_id > (SELECT since_load_id FROM _sage_models_params)
