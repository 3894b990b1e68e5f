import type { ResultRow } from "../destinations/destination.js";
import type { DataType } from "../schema/types.js";

type Arrow = typeof import("apache-arrow");
type ArrowType = InstanceType<Arrow["DataType"]>;

/** apache-arrow is a dependency, but only `arrow()`, `iterArrow()` and `df()` need it: load it then. */
export async function loadArrow(): Promise<Arrow> {
  return import("apache-arrow");
}

function arrowType(a: Arrow, type: DataType): ArrowType {
  switch (type) {
    case "bigint":
      return new a.Int64();
    case "double":
      return new a.Float64();
    case "bool":
      return new a.Bool();
    case "timestamp":
      return new a.TimestampMillisecond("UTC");
    case "date":
      return new a.DateDay();
    case "binary":
      return new a.Binary();
    // DECIMAL stays the exact decimal text (the dataset API's mapping); JSON is its text.
    case "decimal":
    case "json":
    case "text":
      return new a.Utf8();
  }
}

/** A column's type from its values when the schema does not know it (`sql()` results). */
function inferType(values: readonly unknown[]): DataType {
  const v = values.find((x) => x !== null && x !== undefined);
  if (typeof v === "bigint") return "bigint";
  if (typeof v === "number") return values.every((x) => x == null || Number.isInteger(x)) ? "bigint" : "double";
  if (typeof v === "boolean") return "bool";
  if (v instanceof Date) return "timestamp";
  if (v instanceof Uint8Array) return "binary";
  if (v !== undefined && typeof v === "object") return "json";
  return "text";
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** One canonical value (see the dataset API's value mapping) in the form the Arrow builder takes. */
function arrowValue(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "bigint":
      return typeof value === "bigint" ? value : BigInt(value as number);
    case "date":
      return value instanceof Date ? value : new Date(`${text(value)}T00:00:00Z`);
    case "timestamp":
      return value instanceof Date ? value : new Date(text(value));
    case "json":
      return typeof value === "string" ? value : JSON.stringify(value);
    case "decimal":
    case "text":
      return text(value);
    default:
      return value;
  }
}

/**
 * Rows as an Arrow table: column types from the pipeline's schema where it knows the column,
 * else from the values. Columns keep the order of `columns`.
 */
export function rowsToArrow(
  a: Arrow,
  columns: readonly string[],
  rows: readonly ResultRow[],
  known: ReadonlyMap<string, DataType>,
): InstanceType<Arrow["Table"]> {
  const vectors: Record<string, InstanceType<Arrow["Vector"]>> = {};
  for (const c of columns) {
    const values = rows.map((r) => r[c]);
    const type = known.get(c) ?? inferType(values);
    vectors[c] = a.vectorFromArray(
      values.map((v) => arrowValue(v, type)),
      arrowType(a, type),
    );
  }
  return new a.Table(vectors);
}
