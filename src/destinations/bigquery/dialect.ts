import type { Column } from "../../schema/types.js";

/** A BigQuery identifier in backticks (a backtick or backslash inside is escaped). */
export function bqQuote(identifier: string): string {
  return `\`${identifier.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

/** A BigQuery string literal. */
export function bqLiteral(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return `'${value
    .replace(/[\\']/g, (c) => `\\${c}`)
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")}'`;
}

/**
 * The column type in the dataset. Money is NUMERIC(38,9), which is exactly BigQuery's NUMERIC
 * (29 digits before the point, 9 after), declared with its parameters so that every engine that
 * speaks BigQuery's DDL gives it that scale; other precisions keep theirs (BIGNUMERIC beyond 38).
 * A timestamp without time zone is a DATETIME holding the UTC wall time (as dlt does).
 */
export function bqColumnType(c: Column): string {
  switch (c.dataType) {
    case "text":
      return "STRING";
    case "bigint":
      return "INT64";
    case "double":
      return "FLOAT64";
    case "bool":
      return "BOOL";
    case "timestamp":
      return c.timezone === false ? "DATETIME" : "TIMESTAMP";
    case "date":
      return "DATE";
    case "decimal": {
      const p = c.precision ?? 38;
      const s = c.scale ?? 9;
      return s <= 9 && p - s <= 29 ? `NUMERIC(${p}, ${s})` : `BIGNUMERIC(${p}, ${s})`;
    }
    case "json":
      return "JSON";
    case "binary":
      return "BYTES";
  }
}

/**
 * How a column is typed in the per-load staging table the load job fills, and the expression
 * that turns it into the dataset's type. Load files carry BYTES as base64 and naive timestamps
 * with their offset; both are read as STRING and converted in SQL, so the same file loads the
 * same way wherever the load job runs. Everything else the load job reads natively.
 */
export function stagingColumn(c: Column): { type: string; expr: (q: string) => string } {
  if (c.dataType === "binary") return { type: "STRING", expr: (q) => `FROM_BASE64(${q})` };
  if (c.dataType === "timestamp" && c.timezone === false) {
    return { type: "STRING", expr: (q) => `DATETIME(TIMESTAMP(${q}), 'UTC')` };
  }
  return { type: bqColumnType(c), expr: (q) => q };
}
