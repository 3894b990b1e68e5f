import type { ResultRow } from "../destination.js";

/** A field of a query result's schema, as the REST API gives it. */
export interface RestField {
  name: string;
  type: string;
  mode?: string;
  scale?: string;
  fields?: RestField[];
}

/** A row as the REST API sends it (`{ f: [{ v }] }`), asked for with `useInt64Timestamp`. */
export interface RestRow {
  f: { v: unknown }[];
}

/** A decimal's text in plain notation: the server may send `-1E-9` or `1.2E+3`. */
function plainDecimal(text: string): { sign: string; int: string; frac: string } {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a decimal: ${text}`);
  const sign = m[1] === "-" ? "-" : "";
  let digits = (m[2] ?? "") + (m[3] ?? "");
  let point = (m[2] ?? "").length + Number(m[4] ?? 0);
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += "0".repeat(point - digits.length);
  const int = digits.slice(0, point).replace(/^0+(?=\d)/, "") || "0";
  return { sign, int, frac: digits.slice(point) };
}

/**
 * NUMERIC text at the column's scale, as DuckDB and Postgres give it (`12.500000000`). BigQuery
 * sends NUMERIC without trailing zeros and its result schemas drop declared parameters, so the
 * scale is the field's when it says one, else the one the text already has when it ends in a zero
 * (a server that keeps the scale), else NUMERIC's own: 9 (BIGNUMERIC: 38).
 */
export function decimalText(text: string, field: RestField): string {
  const { sign, int, frac } = plainDecimal(text);
  const own = frac.length > 0 && frac.endsWith("0") ? frac.length : undefined;
  const scale = field.scale !== undefined ? Number(field.scale) : (own ?? (field.type === "BIGNUMERIC" ? 38 : 9));
  const f = frac.length >= scale ? frac.slice(0, Math.max(scale, frac.replace(/0+$/, "").length)) : frac.padEnd(scale, "0");
  const zero = /^0*$/.test(int + f);
  return `${zero ? "" : sign}${int}${f ? `.${f}` : ""}`;
}

function float(v: string): number {
  switch (v.toLowerCase()) {
    case "nan":
      return Number.NaN;
    case "inf":
    case "infinity":
    case "+inf":
      return Number.POSITIVE_INFINITY;
    case "-inf":
    case "-infinity":
      return Number.NEGATIVE_INFINITY;
    default:
      return Number(v);
  }
}

function int64(v: string): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : BigInt(v);
}

/** A TIMESTAMP cell: int64 microseconds (useInt64Timestamp), or float seconds from older servers. */
function timestamp(v: string): Date {
  if (/^-?\d+$/.test(v)) return new Date(Number(BigInt(v) / 1000n));
  return new Date(Number(v) * 1000);
}

/**
 * One cell in the values every destination's rows share: exact decimals as strings, INT64 as a
 * number when safe (else bigint), DATE as `YYYY-MM-DD`, TIMESTAMP and DATETIME (UTC wall time) as
 * Date, JSON parsed, BYTES as a Buffer.
 */
export function cellValue(v: unknown, field: RestField): unknown {
  if (v === null || v === undefined) return null;
  if (field.mode === "REPEATED") return (v as { v: unknown }[]).map((x) => cellValue(x.v, { ...field, mode: "NULLABLE" }));
  if (field.type === "RECORD" || field.type === "STRUCT") return rowValue(v as RestRow, field.fields ?? []);
  const s = v as string;
  switch (field.type) {
    case "INTEGER":
    case "INT64":
      return int64(s);
    case "FLOAT":
    case "FLOAT64":
      return float(s);
    case "NUMERIC":
    case "BIGNUMERIC":
      return decimalText(s, field);
    case "BOOLEAN":
    case "BOOL":
      return s === "true";
    case "TIMESTAMP":
      return timestamp(s);
    case "DATETIME":
      return new Date(`${s.replace(" ", "T")}Z`);
    case "JSON":
      try {
        return JSON.parse(s);
      } catch {
        return s;
      }
    case "BYTES":
      return Buffer.from(s, "base64");
    default:
      return s;
  }
}

export function rowValue(row: RestRow, fields: RestField[]): ResultRow {
  const out: ResultRow = {};
  fields.forEach((f, i) => {
    out[f.name] = cellValue(row.f[i]?.v, f);
  });
  return out;
}
