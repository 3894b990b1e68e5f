import type { Column } from "../../schema/types.js";

/** A Databricks (Spark SQL) identifier in backticks; a backtick inside is doubled. */
export function dbxQuote(identifier: string): string {
  return `\`${identifier.replace(/`/g, "``")}\``;
}

/**
 * A Spark SQL string literal. Spark reads backslash escapes in literals, so a backslash and a
 * quote are escaped with one, and line breaks are spelled out (the statement stays on one line
 * in logs). A NUL is written as the `\u0000` escape: it cannot stand raw in statement text.
 */
export function dbxLiteral(value: string): string {
  // eslint-disable-next-line no-control-regex -- NUL is one of the characters escaped
  const escaped = value.replace(/[\\'\n\r\u0000]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\u0000") return "\\u0000";
    return `\\${c}`;
  });
  return `'${escaped}'`;
}

/**
 * The column type in a Delta table. Money is DECIMAL(38,9) (Spark's widest DECIMAL is 38 digits);
 * other declared precisions keep theirs. A timestamp is TIMESTAMP (an instant, shown in the
 * session's time zone, which the connection sets to UTC); a naive one is TIMESTAMP_NTZ holding the
 * UTC wall time, as dlt does. JSON is VARIANT, Databricks' native semi-structured type (Databricks
 * SQL and runtime 15.3+, Apache Spark 4): its values keep their JSON types and are queried with
 * `:` paths; binary is BINARY.
 */
export function dbxColumnType(c: Column): string {
  switch (c.dataType) {
    case "text":
      return "STRING";
    case "bigint":
      return "BIGINT";
    case "double":
      return "DOUBLE";
    case "bool":
      return "BOOLEAN";
    case "timestamp":
      return c.timezone === false ? "TIMESTAMP_NTZ" : "TIMESTAMP";
    case "date":
      return "DATE";
    case "decimal":
      return `DECIMAL(${Math.min(c.precision ?? 38, 38)},${c.scale ?? 9})`;
    case "json":
      return "VARIANT";
    case "binary":
      return "BINARY";
  }
}

/**
 * How one column of a load file is read in SQL. The file's line is parsed with `from_json` into a
 * struct of STRING fields (`fileSchema`): Spark then hands a JSON number or `true` over as its exact
 * text, and an object or array as its JSON text, so nothing is rounded by the reader; each field is
 * then cast to the column's type here (ANSI casts: a value that does not fit fails the load rather
 * than turning NULL). A json column's field is VARIANT in the struct, so a JSON string stays a
 * string. Binary is base64 in the files; a naive timestamp is written with its offset and becomes
 * the UTC wall time (the session's time zone is UTC).
 */
export function fileFieldType(c: Column): string {
  return c.dataType === "json" ? "VARIANT" : "STRING";
}

export function fileValueExpr(c: Column, field: string): string {
  switch (c.dataType) {
    case "text":
    case "json":
      return field;
    case "binary":
      return `unbase64(${field})`;
    case "timestamp":
      return c.timezone === false ? `CAST(CAST(${field} AS TIMESTAMP) AS TIMESTAMP_NTZ)` : `CAST(${field} AS TIMESTAMP)`;
    default:
      return `CAST(${field} AS ${dbxColumnType(c)})`;
  }
}
