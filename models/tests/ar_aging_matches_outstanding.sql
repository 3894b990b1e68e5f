-- test: ar_aging_matches_outstanding
-- description: The aged debtors total equals the sum of Sage's outstanding amounts of the sales invoices, quick entries and credit notes (checked when the aging is as of the load date or later, when Sage's outstanding amounts are the as-of figures).
-- depends_on: sage__ar_aging, sage__open_items
WITH sage AS (
  SELECT business_id, SUM(sage_outstanding_amount) AS outstanding
  FROM sage__open_items
  WHERE ledger_side = 'AR'
  GROUP BY business_id
),
aging AS (
  SELECT business_id, SUM(outstanding_amount) AS outstanding FROM sage__ar_aging GROUP BY business_id
)
SELECT
  s.business_id,
  CAST((SELECT as_of_date FROM _sage_models_params) AS VARCHAR) AS period,
  CAST(COALESCE(a.outstanding, 0) - s.outstanding AS DECIMAL(38, 9)) AS difference,
  'aged debtors total ' || CAST(COALESCE(a.outstanding, 0) AS VARCHAR) || ', outstanding sales documents '
    || CAST(s.outstanding AS VARCHAR) AS detail
FROM sage AS s
LEFT JOIN aging AS a ON a.business_id = s.business_id
WHERE COALESCE(a.outstanding, 0) <> s.outstanding
  AND (SELECT as_of_date >= load_date FROM _sage_models_params)
ORDER BY 1, 2, 4
