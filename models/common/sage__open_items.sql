-- model: sage__open_items
-- description: Every sales and purchase document (invoices, quick entries, credit notes) dated on or before the as-of date, with what was still outstanding on that date: its total minus the payments and allocations (credit notes against invoices) dated on or before it. Credit notes are negative.
-- reads: sales_invoices, sales_credit_notes, sales_quick_entries, purchase_invoices, purchase_credit_notes, purchase_quick_entries, contact_payments, contact_payments__allocated_artefacts, contact_allocations, contact_allocations__allocated_artefacts
-- materialization: table
-- columns:
--   business_id: the Sage business
--   ledger_side: AR (sales) or AP (purchases)
--   as_of_date: the date the items are outstanding on
--   document_type: SALES_INVOICE, SALES_QUICK_ENTRY, SALES_CREDIT_NOTE, PURCHASE_INVOICE, ...
--   document_id: Sage's id of the document
--   document_number: the document as Sage displays it
--   contact_id: the customer or supplier
--   contact_name: their name on the document
--   document_date: the document's date
--   due_date: its due date (credit notes: their date)
--   currency: the document's currency
--   total_amount: the document's total, signed (credit notes negative), document currency
--   allocated_amount: paid or allocated on or before the as-of date, signed, document currency
--   outstanding_amount: total minus allocated, signed, document currency
--   base_currency_outstanding_amount: the same in base currency (Sage's figure when nothing moved after the as-of date, else pro rata at the document's rate)
--   sage_outstanding_amount: Sage's outstanding_amount as loaded (today's), signed
--   sage_base_currency_outstanding_amount: Sage's base_currency_outstanding_amount as loaded, signed
WITH params AS (
  SELECT as_of_date FROM _sage_models_params
),
documents AS (
  SELECT business_id, 'AR' AS ledger_side, 'SALES_INVOICE' AS document_type, 1 AS sign, id, displayed_as, contact__id,
    contact_name, date, due_date, currency__id, total_amount, base_currency_total_amount, outstanding_amount,
    base_currency_outstanding_amount, deleted_at, status__id
  FROM sales_invoices
  UNION ALL
  SELECT business_id, 'AR', 'SALES_QUICK_ENTRY', CASE WHEN quick_entry_type__id = 'CREDIT_NOTE' THEN -1 ELSE 1 END, id,
    displayed_as, contact__id, contact_name, date, due_date, currency__id, total_amount, base_currency_total_amount,
    outstanding_amount, base_currency_outstanding_amount, deleted_at, status__id
  FROM sales_quick_entries
  UNION ALL
  SELECT business_id, 'AR', 'SALES_CREDIT_NOTE', -1, id, displayed_as, contact__id, contact_name, date, date, currency__id,
    total_amount, base_currency_total_amount, outstanding_amount, base_currency_outstanding_amount, deleted_at, status__id
  FROM sales_credit_notes
  UNION ALL
  SELECT business_id, 'AP', 'PURCHASE_INVOICE', 1, id, displayed_as, contact__id, contact_name, date, due_date, currency__id,
    total_amount, base_currency_total_amount, outstanding_amount, base_currency_outstanding_amount, deleted_at, status__id
  FROM purchase_invoices
  UNION ALL
  SELECT business_id, 'AP', 'PURCHASE_QUICK_ENTRY', CASE WHEN quick_entry_type__id = 'CREDIT_NOTE' THEN -1 ELSE 1 END, id,
    displayed_as, contact__id, contact_name, date, due_date, currency__id, total_amount, base_currency_total_amount,
    outstanding_amount, base_currency_outstanding_amount, deleted_at, status__id
  FROM purchase_quick_entries
  UNION ALL
  SELECT business_id, 'AP', 'PURCHASE_CREDIT_NOTE', -1, id, displayed_as, contact__id, contact_name, date, date, currency__id,
    total_amount, base_currency_total_amount, outstanding_amount, base_currency_outstanding_amount, deleted_at, status__id
  FROM purchase_credit_notes
),
allocations AS (
  -- Payment and allocation lines name the document they settle; amounts are in its currency.
  SELECT p.business_id, a.artefact__id AS document_id, ABS(a.amount) + ABS(COALESCE(a.discount, 0)) AS amount
  FROM contact_payments__allocated_artefacts AS a
  JOIN contact_payments AS p ON p._dlt_id = a._dlt_root_id
  WHERE p.deleted_at IS NULL AND p.date <= (SELECT as_of_date FROM params)
  UNION ALL
  SELECT c.business_id, a.artefact__id, ABS(a.amount)
  FROM contact_allocations__allocated_artefacts AS a
  JOIN contact_allocations AS c ON c._dlt_id = a._dlt_root_id
  WHERE c.deleted_at IS NULL AND c.date <= (SELECT as_of_date FROM params)
),
allocated AS (
  SELECT business_id, document_id, SUM(amount) AS amount FROM allocations GROUP BY business_id, document_id
),
open AS (
  SELECT
    d.*,
    COALESCE(al.amount, 0) AS allocated,
    d.total_amount - COALESCE(al.amount, 0) AS outstanding
  FROM documents AS d
  LEFT JOIN allocated AS al ON al.business_id = d.business_id AND al.document_id = d.id
  WHERE d.deleted_at IS NULL
    AND d.status__id IS DISTINCT FROM 'VOID'
    AND d.date <= (SELECT as_of_date FROM params)
)
SELECT
  business_id,
  ledger_side,
  (SELECT as_of_date FROM params) AS as_of_date,
  document_type,
  id AS document_id,
  displayed_as AS document_number,
  contact__id AS contact_id,
  contact_name,
  date AS document_date,
  COALESCE(due_date, date) AS due_date,
  currency__id AS currency,
  CAST(sign * total_amount AS DECIMAL(38, 9)) AS total_amount,
  CAST(sign * allocated AS DECIMAL(38, 9)) AS allocated_amount,
  CAST(sign * outstanding AS DECIMAL(38, 9)) AS outstanding_amount,
  CAST(sign * CASE
    WHEN outstanding = outstanding_amount THEN base_currency_outstanding_amount
    WHEN total_amount = 0 THEN 0
    ELSE ROUND(outstanding * base_currency_total_amount / total_amount, 2)
  END AS DECIMAL(38, 9)) AS base_currency_outstanding_amount,
  CAST(sign * outstanding_amount AS DECIMAL(38, 9)) AS sage_outstanding_amount,
  CAST(sign * base_currency_outstanding_amount AS DECIMAL(38, 9)) AS sage_base_currency_outstanding_amount
FROM open
