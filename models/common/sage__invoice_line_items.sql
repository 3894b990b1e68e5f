-- model: sage__invoice_line_items
-- description: Sales and purchase invoice lines joined with their invoice, contact, product or service, ledger account and tax rate; deleted and void invoices excluded. Amounts in the invoice's currency and in base currency.
-- reads: sales_invoices, sales_invoices__invoice_lines, purchase_invoices, purchase_invoices__invoice_lines, contacts, products, services, tax_rates
-- depends_on: sage__ledger_accounts
-- materialization: table
-- columns:
--   business_id: the Sage business
--   document_type: SALES_INVOICE or PURCHASE_INVOICE
--   invoice_id: Sage's id of the invoice
--   invoice_number: the invoice as Sage displays it
--   invoice_date: the invoice's date
--   due_date: the invoice's due date
--   invoice_status: Sage's status id (UNPAID, PART_PAID, PAID, ...)
--   contact_id: the customer or supplier
--   contact_name: their name
--   line_id: Sage's id of the line
--   line_number: the line's position on the invoice, from 1
--   description: the line's description
--   item_type: PRODUCT, SERVICE, or NULL for a line without an item
--   item_id: the product or service
--   item_code: its item code
--   item_description: its description
--   quantity: quantity
--   unit_price: unit price, invoice currency
--   net_amount: net amount, invoice currency
--   tax_amount: tax amount, invoice currency
--   total_amount: total amount, invoice currency
--   currency: the invoice's currency
--   exchange_rate: the invoice's exchange rate
--   base_currency_net_amount: net amount, base currency
--   base_currency_tax_amount: tax amount, base currency
--   base_currency_total_amount: total amount, base currency
--   ledger_account_id: the ledger account of the line
--   nominal_code: the account's nominal code
--   ledger_account_name: the account's name
--   tax_rate_id: the line's tax rate
--   tax_rate_name: the tax rate's name
--   tax_rate_percentage: the tax rate's percentage
WITH lines AS (
  SELECT i.business_id, 'SALES_INVOICE' AS document_type, i.id AS invoice_id, i.displayed_as AS invoice_number,
    i.date AS invoice_date, i.due_date, i.status__id AS invoice_status, i.contact__id AS contact_id, i.currency__id AS currency,
    i.exchange_rate, i.deleted_at, l.id AS line_id, l._dlt_list_idx AS line_index, l.description, l.product__id, l.service__id,
    l.quantity, l.unit_price, l.net_amount, l.tax_amount, l.total_amount, l.base_currency_net_amount,
    l.base_currency_tax_amount, l.base_currency_total_amount, l.ledger_account__id, l.tax_rate__id
  FROM sales_invoices__invoice_lines AS l
  JOIN sales_invoices AS i ON i._dlt_id = l._dlt_parent_id
  UNION ALL
  SELECT i.business_id, 'PURCHASE_INVOICE', i.id, i.displayed_as, i.date, i.due_date, i.status__id, i.contact__id,
    i.currency__id, i.exchange_rate, i.deleted_at, l.id, l._dlt_list_idx, l.description, l.product__id, l.service__id,
    l.quantity, l.unit_price, l.net_amount, l.tax_amount, l.total_amount, l.base_currency_net_amount,
    l.base_currency_tax_amount, l.base_currency_total_amount, l.ledger_account__id, l.tax_rate__id
  FROM purchase_invoices__invoice_lines AS l
  JOIN purchase_invoices AS i ON i._dlt_id = l._dlt_parent_id
)
SELECT
  l.business_id,
  l.document_type,
  l.invoice_id,
  l.invoice_number,
  l.invoice_date,
  l.due_date,
  l.invoice_status,
  l.contact_id,
  c.name AS contact_name,
  l.line_id,
  CAST(l.line_index + 1 AS INTEGER) AS line_number,
  l.description,
  CASE WHEN l.product__id IS NOT NULL THEN 'PRODUCT' WHEN l.service__id IS NOT NULL THEN 'SERVICE' END AS item_type,
  COALESCE(l.product__id, l.service__id) AS item_id,
  COALESCE(p.item_code, s.item_code) AS item_code,
  COALESCE(p.description, s.description) AS item_description,
  CAST(l.quantity AS DECIMAL(38, 9)) AS quantity,
  CAST(l.unit_price AS DECIMAL(38, 9)) AS unit_price,
  CAST(l.net_amount AS DECIMAL(38, 9)) AS net_amount,
  CAST(l.tax_amount AS DECIMAL(38, 9)) AS tax_amount,
  CAST(l.total_amount AS DECIMAL(38, 9)) AS total_amount,
  l.currency,
  CAST(l.exchange_rate AS DECIMAL(38, 9)) AS exchange_rate,
  CAST(l.base_currency_net_amount AS DECIMAL(38, 9)) AS base_currency_net_amount,
  CAST(l.base_currency_tax_amount AS DECIMAL(38, 9)) AS base_currency_tax_amount,
  CAST(l.base_currency_total_amount AS DECIMAL(38, 9)) AS base_currency_total_amount,
  l.ledger_account__id AS ledger_account_id,
  a.nominal_code,
  a.ledger_account_name,
  l.tax_rate__id AS tax_rate_id,
  t.name AS tax_rate_name,
  CAST(t.percentage AS DECIMAL(38, 9)) AS tax_rate_percentage
FROM lines AS l
LEFT JOIN contacts AS c ON c.business_id = l.business_id AND c.id = l.contact_id
LEFT JOIN products AS p ON p.business_id = l.business_id AND p.id = l.product__id
LEFT JOIN services AS s ON s.business_id = l.business_id AND s.id = l.service__id
LEFT JOIN sage__ledger_accounts AS a ON a.business_id = l.business_id AND a.ledger_account_id = l.ledger_account__id
LEFT JOIN tax_rates AS t ON t.business_id = l.business_id AND t.id = l.tax_rate__id
WHERE l.deleted_at IS NULL AND l.invoice_status IS DISTINCT FROM 'VOID'
