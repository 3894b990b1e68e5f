import type { Column } from "../../schema/types.js";

/** A DuckDB identifier, double-quoted. */
export function duckQuote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** A DuckDB string literal. */
export function duckLiteral(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

/** The DuckDB type of a column, in DDL and in casts. */
export function duckColumnType(c: Column): string {
  switch (c.dataType) {
    case "text":
      return "VARCHAR";
    case "bigint":
      return "BIGINT";
    case "double":
      return "DOUBLE";
    case "bool":
      return "BOOLEAN";
    case "timestamp":
      return c.timezone === false ? "TIMESTAMP" : "TIMESTAMP WITH TIME ZONE";
    case "date":
      return "DATE";
    case "decimal":
      return `DECIMAL(${c.precision ?? 38},${c.scale ?? 9})`;
    case "json":
      return "JSON";
    case "binary":
      return "BLOB";
  }
}

/**
 * How a load-file value is read by read_json, and the expression that gives the column type.
 * A naive timestamp column goes through TIMESTAMPTZ first: a plain CAST to TIMESTAMP would drop
 * an offset instead of converting to UTC (the session time zone is UTC).
 */
function readAs(c: Column): { read: string; expr: (q: string) => string } {
  switch (c.dataType) {
    case "timestamp":
      return c.timezone === false
        ? { read: "VARCHAR", expr: (q) => `CAST(CAST(${q} AS TIMESTAMP WITH TIME ZONE) AS TIMESTAMP)` }
        : { read: "VARCHAR", expr: (q) => `CAST(${q} AS TIMESTAMP WITH TIME ZONE)` };
    case "date":
      return { read: "VARCHAR", expr: (q) => `CAST(${q} AS ${duckColumnType(c)})` };
    case "decimal": {
      const type = duckColumnType(c);
      const scale = c.scale ?? 9;
      if ((c.precision ?? 38) <= 18 || scale > 18) return { read: "VARCHAR", expr: (q) => `CAST(${q} AS ${type})` };
      // Casting text to a 128-bit DECIMAL is about 10x slower than to a 64-bit one. Most values fit
      // 18 digits, so they take the fast cast and widen (exact); the rest take the full cast.
      return {
        read: "VARCHAR",
        expr: (q) => `COALESCE(CAST(TRY_CAST(${q} AS DECIMAL(18,${scale})) AS ${type}), CAST(${q} AS ${type}))`,
      };
    }
    case "binary":
      return { read: "VARCHAR", expr: (q) => `from_base64(${q})` };
    default:
      return { read: duckColumnType(c), expr: (q) => q };
  }
}

/**
 * read_json splits files into buffers of `maximum_object_size` to parse them in parallel: a
 * needlessly large value (say 1 GB) makes one buffer of a whole file and a single-threaded read,
 * about 3x slower. So it is DuckDB's 16 MB default, raised only when a row is longer than that.
 */
export function objectSize(maxRowBytes: number): number {
  let size = 16 * 1024 * 1024;
  while (size < maxRowBytes + 1024) size *= 2;
  return size;
}

/**
 * `SELECT <typed columns> FROM read_json(<files>)` over load files (or filesystem jsonl files,
 * which have the same encoding). Keys missing from a line read as NULL, so files written before a
 * column existed read fine. `extra` adds select items such as the file name or a row number.
 */
export function readJsonSelect(columns: Column[], files: string[], extra: string[] = [], options = "", maxRowBytes = 0): string {
  const select = columns.map((c) => `${readAs(c).expr(duckQuote(c.name))} AS ${duckQuote(c.name)}`);
  if (files.length === 0) {
    // read_json refuses an empty list: an empty relation with the right types instead
    // (callers that select the `filename` column never pass an empty list).
    const empty = columns.map((c) => `CAST(NULL AS ${duckColumnType(c)}) AS ${duckQuote(c.name)}`);
    return `SELECT ${[...empty, ...extra].join(", ")} WHERE false`;
  }
  const spec = columns.map((c) => `${duckLiteral(c.name)}: ${duckLiteral(readAs(c).read)}`).join(", ");
  const list = `[${files.map((f) => duckLiteral(f)).join(", ")}]`;
  return `SELECT ${[...select, ...extra].join(", ")} FROM read_json(${list}, format = 'newline_delimited', columns = {${spec}}, maximum_object_size = ${objectSize(maxRowBytes)}${options})`;
}
