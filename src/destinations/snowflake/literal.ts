/** A Snowflake string literal: backslash escapes in '...' (Snowflake's rule), quotes doubled. */
export function snowflakeLiteral(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}
