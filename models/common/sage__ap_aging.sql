-- model: sage__ap_aging
-- description: Aged creditors: outstanding purchase invoices and quick entries minus unallocated credit notes, per document, as of a date (default: the date of the latest load, as Sage's server saw it), in 0-30, 31-60, 61-90 and 90+ day buckets by days since the document date. Bucket columns are in base currency; credit notes are negative.
-- depends_on: sage__open_items
-- materialization: table
-- columns:
--   business_id: the Sage business
--   as_of_date: the date the aging is as of
--   document_type: the kind of document
--   document_id: Sage's id of the document
--   document_number: the document as Sage displays it
--   contact_id: the supplier
--   contact_name: the supplier's name on the document
--   document_date: the document's date
--   due_date: the document's due date
--   days_outstanding: days from the document date to the as-of date
--   days_overdue: days from the due date to the as-of date (negative: not yet due)
--   aging_bucket: 0-30, 31-60, 61-90 or 90+
--   currency: the document's currency
--   outstanding_amount: outstanding on the as-of date, document currency
--   base_currency_outstanding_amount: outstanding on the as-of date, base currency
--   bucket_0_30: base currency amount in the 0-30 day bucket
--   bucket_31_60: base currency amount in the 31-60 day bucket
--   bucket_61_90: base currency amount in the 61-90 day bucket
--   bucket_over_90: base currency amount in the 90+ day bucket
WITH items AS (
  SELECT o.*, CAST(o.as_of_date - o.document_date AS INTEGER) AS days_outstanding
  FROM sage__open_items AS o
  WHERE o.ledger_side = 'AP' AND o.outstanding_amount <> 0
)
SELECT
  business_id,
  as_of_date,
  document_type,
  document_id,
  document_number,
  contact_id,
  contact_name,
  document_date,
  due_date,
  days_outstanding,
  CAST(as_of_date - due_date AS INTEGER) AS days_overdue,
  CASE
    WHEN days_outstanding <= 30 THEN '0-30'
    WHEN days_outstanding <= 60 THEN '31-60'
    WHEN days_outstanding <= 90 THEN '61-90'
    ELSE '90+'
  END AS aging_bucket,
  currency,
  outstanding_amount,
  base_currency_outstanding_amount,
  CAST(CASE WHEN days_outstanding <= 30 THEN base_currency_outstanding_amount ELSE 0 END AS DECIMAL(38, 9)) AS bucket_0_30,
  CAST(CASE WHEN days_outstanding BETWEEN 31 AND 60 THEN base_currency_outstanding_amount ELSE 0 END AS DECIMAL(38, 9)) AS bucket_31_60,
  CAST(CASE WHEN days_outstanding BETWEEN 61 AND 90 THEN base_currency_outstanding_amount ELSE 0 END AS DECIMAL(38, 9)) AS bucket_61_90,
  CAST(CASE WHEN days_outstanding > 90 THEN base_currency_outstanding_amount ELSE 0 END AS DECIMAL(38, 9)) AS bucket_over_90
FROM items
