import { configSpec, field } from "../config/index.js";

const DATE_RULE = (v: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : "must be a date, YYYY-MM-DD";

/** `[models]` (env `MODELS__<KEY>`): the accounting models built on the loaded Sage tables. */
export const MODELS_SPEC = configSpec({
  title: "accounting models",
  section: ["models"],
  fields: {
    enabled: field.boolean({
      doc: "build the accounting models (general ledger, trial balance, P&L, balance sheet, aging) after every successful load",
      default: false,
      lookup: "exact",
    }),
    asOfDate: field.string({
      doc: "the date the aged debtors/creditors are as of",
      defaultDoc: "the date of the latest load, as Sage's server saw it",
      example: "2025-03-31",
      lookup: "exact",
      check: DATE_RULE,
    }),
  },
});
