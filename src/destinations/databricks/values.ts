import type { ResultRow } from "../destination.js";
import { dbxQuote } from "./dialect.js";

/** A result column as `DESCRIBE QUERY` names it (`decimal(38,9)`, `timestamp_ntz`, `variant`...). */
export interface DescribedColumn {
  name: string;
  type: string;
}

type Decode = (v: unknown) => unknown;

function int64(v: unknown): unknown {
  const s = String(v);
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}

function float(v: unknown): number {
  const s = String(v);
  if (s === "Infinity") return Number.POSITIVE_INFINITY;
  if (s === "-Infinity") return Number.NEGATIVE_INFINITY;
  return s === "NaN" ? Number.NaN : Number(s);
}

function json(v: unknown): unknown {
  try {
    return JSON.parse(String(v));
  } catch {
    return v;
  }
}

const asIs: Decode = (v) => v;

/** How a column is read as text in SQL (the same text whichever result format the server sends), and typed back here. */
function readAs(type: string): { expr: (q: string) => string; decode: Decode } {
  const t = type.toLowerCase();
  if (t.startsWith("decimal")) return { expr: (q) => `CAST(${q} AS STRING)`, decode: (v) => String(v) };
  if (t === "bigint") return { expr: (q) => `CAST(${q} AS STRING)`, decode: int64 };
  if (t === "double" || t === "float") return { expr: (q) => `CAST(${q} AS STRING)`, decode: float };
  if (t === "date") return { expr: (q) => `CAST(${q} AS STRING)`, decode: (v) => String(v) };
  if (t === "timestamp" || t === "timestamp_ntz") {
    // The session's zone is UTC, so both kinds print their UTC wall time.
    return {
      expr: (q) => `date_format(${q}, 'yyyy-MM-dd\\'T\\'HH:mm:ss.SSSSSS')`,
      decode: (v) => new Date(`${String(v)}Z`),
    };
  }
  if (t === "binary") return { expr: (q) => `base64(${q})`, decode: (v) => Buffer.from(String(v), "base64") };
  if (t === "variant" || t.startsWith("struct") || t.startsWith("array") || t.startsWith("map")) {
    return { expr: (q) => `to_json(${q})`, decode: json };
  }
  if (t === "string" || t === "boolean" || t === "int" || t === "smallint" || t === "tinyint" || t === "void") {
    return { expr: (q) => q, decode: asIs };
  }
  return { expr: (q) => `CAST(${q} AS STRING)`, decode: (v) => String(v) };
}

/**
 * A query wrapped so that every column arrives as text the driver cannot round, then typed back:
 * exact decimals as strings at their scale (`12.500000000`), BIGINT as a number when safe (else
 * bigint), DATE as `YYYY-MM-DD`, TIMESTAMP and TIMESTAMP_NTZ (UTC wall time) as Date, VARIANT and
 * nested types parsed from JSON, BINARY as a Buffer. The driver's own conversion depends on the
 * result format the server picks (column sets turn DECIMAL into a float and lose BIGINT beyond
 * 2^53), which is why nothing is left to it. A query whose columns repeat a name runs unwrapped.
 */
export function typedSelect(
  sql: string,
  columns: DescribedColumn[],
): { sql: string; columns: string[]; decode: (row: ResultRow) => ResultRow } {
  const names = columns.map((c) => c.name);
  if (new Set(names).size !== names.length || columns.length === 0) {
    return { sql, columns: names, decode: (r) => r };
  }
  const reads = columns.map((c) => ({ name: c.name, ...readAs(c.type) }));
  const select = reads.map((r) => `${r.expr(`_dlt_q.${dbxQuote(r.name)}`)} AS ${dbxQuote(r.name)}`).join(", ");
  return {
    sql: `SELECT ${select} FROM (${sql}) AS _dlt_q`,
    columns: names,
    decode(row) {
      const out: ResultRow = {};
      for (const r of reads) {
        const v = row[r.name];
        out[r.name] = v === null || v === undefined ? null : r.decode(v);
      }
      return out;
    },
  };
}
