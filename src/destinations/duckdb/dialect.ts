import type { Column, Table } from "../../schema/types.js";
import type { SqlDialect } from "../sql/dialect.js";
import type { SqlConnection } from "../sql/sql-connection.js";

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function literal(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

function columnType(c: Column): string {
  switch (c.dataType) {
    case "text": return "VARCHAR";
    case "bigint": return "BIGINT";
    case "double": return "DOUBLE";
    case "bool": return "BOOLEAN";
    case "timestamp": return c.timezone === false ? "TIMESTAMP" : "TIMESTAMP WITH TIME ZONE";
    case "date": return "DATE";
    case "decimal": return `DECIMAL(${c.precision ?? 38},${c.scale ?? 9})`;
    case "json": return "JSON";
    case "binary": return "BLOB";
  }
}

/** How a load file value is read by read_json, and the expression that makes the column type. */
function readAs(c: Column): { read: string; expr: (q: string) => string } {
  switch (c.dataType) {
    case "timestamp":
    case "date":
    case "decimal":
      return { read: "VARCHAR", expr: (q) => `CAST(${q} AS ${columnType(c)})` };
    case "binary":
      return { read: "VARCHAR", expr: (q) => `from_base64(${q})` };
    default:
      return { read: columnType(c), expr: (q) => q };
  }
}

export const duckdbDialect: SqlDialect = {
  name: "duckdb",
  quote,
  literal,
  columnType,
  sequenceColumn: "_dlt_seq",
  addColumn: (qualified, c) => `ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS ${quote(c.name)} ${columnType(c)}`,
  async stage(conn: SqlConnection, staging: string, table: Table, files: string[]): Promise<void> {
    const cols = Object.values(table.columns);
    const spec = cols.map((c) => `${literal(c.name)}: ${literal(readAs(c).read)}`).join(", ");
    const select = cols.map((c) => `${readAs(c).expr(quote(c.name))} AS ${quote(c.name)}`).join(", ");
    const list = `[${files.map((f) => literal(f)).join(", ")}]`;
    // Insertion order is preserved by DuckDB (preserve_insertion_order), so the row number
    // over the scan is the order of the files and of the lines within them.
    await conn.execute(
      `CREATE TEMP TABLE ${staging} AS SELECT ${select}, ROW_NUMBER() OVER () AS _dlt_seq FROM read_json(${list}, format = 'newline_delimited', columns = {${spec}}, maximum_object_size = 1073741824)`,
    );
  },
};
