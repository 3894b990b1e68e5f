-- model: sage__financial_periods
-- description: Every month of every business from its first ledger entry to its latest, with the financial year it falls in (from financial_settings.year_end_date; a business without financial settings gets calendar years).
-- reads: financial_settings
-- depends_on: sage__general_ledger
-- materialization: table
-- columns:
--   business_id: the Sage business
--   period_month: first day of the month
--   period_end: last day of the month
--   financial_year_start: first day of the financial year the month is in
--   financial_year_end: last day of that financial year
--   is_year_end: true for the last month of a financial year
--   base_currency: the business's base currency
--   accounting_type: accrual or cash, as financial_settings says
WITH RECURSIVE
spans AS (
  SELECT business_id, MIN(period_month) AS first_month, MAX(period_month) AS last_month
  FROM sage__general_ledger
  GROUP BY business_id
),
months AS (
  SELECT business_id, first_month AS period_month, last_month FROM spans
  UNION ALL
  SELECT business_id, CAST(period_month + INTERVAL '1 month' AS DATE), last_month
  FROM months
  WHERE period_month < last_month
),
settings AS (
  -- The financial year ends on the last day of the year end's month, every year: a 29 February
  -- year end is 28 February in other years, a 28 February one is 29 February in leap years.
  SELECT
    business_id,
    CAST(EXTRACT(MONTH FROM year_end_date) AS INTEGER) AS year_end_month,
    base_currency__id AS base_currency,
    accounting_type
  FROM financial_settings
),
placed AS (
  SELECT
    m.business_id,
    m.period_month,
    COALESCE(s.year_end_month, 12) AS year_end_month,
    CAST(EXTRACT(YEAR FROM m.period_month) AS INTEGER)
      + CASE WHEN CAST(EXTRACT(MONTH FROM m.period_month) AS INTEGER) > COALESCE(s.year_end_month, 12) THEN 1 ELSE 0 END
      AS year_end_year,
    s.base_currency,
    s.accounting_type
  FROM months AS m
  LEFT JOIN settings AS s ON s.business_id = m.business_id
)
SELECT
  business_id,
  period_month,
  CAST(period_month + INTERVAL '1 month' - INTERVAL '1 day' AS DATE) AS period_end,
  CAST(make_date(year_end_year, year_end_month, 1) - INTERVAL '11 months' AS DATE) AS financial_year_start,
  CAST(make_date(year_end_year, year_end_month, 1) + INTERVAL '1 month' - INTERVAL '1 day' AS DATE) AS financial_year_end,
  CAST(EXTRACT(MONTH FROM period_month) AS INTEGER) = year_end_month AS is_year_end,
  base_currency,
  accounting_type
FROM placed
