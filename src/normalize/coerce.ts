import type { Column, DataType } from "../schema/types.js";
import { ExactNumber } from "../util/lossless-json.js";
import { decodeTyped, isTyped } from "../util/typed-json.js";

/**
 * Type inference and coercion for single values, and their encoding in load files.
 * Load files are JSON lines whose values are already in the column's canonical text form:
 * timestamps as ISO strings (UTC when no offset is given), dates `YYYY-MM-DD`, decimals as exact
 * strings, binary as base64, json as the JSON value itself. Every destination reads that.
 */

/** Returned by `coerce` when the value cannot live in the column: it goes to a variant column. */
export const NO_FIT: unique symbol = Symbol("no-fit");
export type Encoded = string | number | boolean | null | object;

export const DEFAULT_PRECISION = 38;
export const DEFAULT_SCALE = 9;

const TS_RE =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d{1,9})?)?(Z|z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?$/;
const INT_RE = /^[+-]?\d{1,19}$/;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function validDay(y: string, m: string, d: string): boolean {
  const day = Number(d);
  if (day <= 28) return true;
  const dt = new Date(Date.UTC(Number(y), Number(m) - 1, day));
  return dt.getUTCDate() === day;
}

/** The number written by the two ASCII digits at `i`, or -1. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** `YYYY-MM-DD` at the start of `s`, a real day: what DATE_RE and validDay accepted, without a match array. */
function leadingDate(s: string): boolean {
  if (twoDigits(s, 0) < 0 || twoDigits(s, 2) < 0 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  return day <= 28 || validDay(s.slice(0, 4), s.slice(5, 7), s.slice(8, 10));
}

/** `YYYY-MM-DDTHH:MM:SSZ`, the form APIs send most: checked by character (it is canonical as it is). */
function isPlainUtcTimestamp(s: string): boolean {
  if (s.length !== 20 || s.charCodeAt(19) !== 90 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 32) return false;
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && leadingDate(s);
}

/** An ISO timestamp in canonical form, or undefined. More than 6 fractional digits are truncated. */
export function parseTimestamp(s: string): string | undefined {
  if (s.length < 16 || s.length > 40 || s.charCodeAt(4) !== 45) return undefined;
  if (isPlainUtcTimestamp(s)) return s;
  const m = TS_RE.exec(s);
  if (!m || !validDay(m[1]!, m[2]!, m[3]!)) return undefined;
  const frac = m[7];
  const seconds = m[6];
  const zone = m[8];
  // Seconds are optional and "z" may be lower case in ISO 8601, but DuckDB's cast refuses both
  // (the whole load failed on one such value): the canonical form always has them.
  if (seconds === undefined || zone === "z") {
    const fraction = frac ? frac.slice(0, 7) : "";
    return `${s.slice(0, 16)}:${seconds ?? "00"}${fraction}${zone === "z" ? "Z" : (zone ?? "")}`;
  }
  if (frac && frac.length > 7) {
    return s.replace(frac, frac.slice(0, 7));
  }
  return s;
}

export function parseDate(s: string): string | undefined {
  return s.length === 10 && leadingDate(s) ? s : undefined;
}

/** A JSON-safe copy of a nested value for json columns (typed markers turned into plain JSON). */
export function toJsonValue(v: unknown): Encoded {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") {
    if (!isTyped(v)) return v;
    return toJsonValue(decodeTyped(v));
  }
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "boolean") return v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  // JSON text cannot carry it as a number through the writers: its exact digits as a string.
  if (v instanceof ExactNumber) return v.text;
  if (Array.isArray(v)) return v.map(toJsonValue);
  const out: Record<string, Encoded> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJsonValue(x);
  return out;
}

/** The type a fresh column gets from its first non-null value (after decoding). */
export function inferType(v: unknown, detectDates = true): DataType {
  switch (typeof v) {
    case "string":
      if (v.length >= 10 && v.length <= 40 && v.charCodeAt(4) === 45) {
        if (v.length === 10) return detectDates && parseDate(v) !== undefined ? "date" : "text";
        if (parseTimestamp(v) !== undefined) return "timestamp";
      }
      return "text";
    case "number":
      return Number.isSafeInteger(v) ? "bigint" : "double";
    case "bigint":
      return v >= INT64_MIN && v <= INT64_MAX ? "bigint" : "decimal";
    case "boolean":
      return "bool";
    default:
      if (v instanceof Date) return "timestamp";
      if (v instanceof Uint8Array) return "binary";
      if (v instanceof ExactNumber) return exactType(v);
      return "json";
  }
}

/** The column an exact number gets: bigint within int64, else decimal(38,9) when it fits, else text (`1e400`). */
function exactType(v: ExactNumber): DataType {
  if (v.isInteger) {
    const b = BigInt(v.text);
    if (b >= INT64_MIN && b <= INT64_MAX) return "bigint";
  }
  return decimalFits(v.text, undefined) ? "decimal" : "text";
}

/**
 * For a plain decimal's text (`[+-]digits[.digits]`, ASCII digits only): the digits before the
 * point without leading zeros; -1 for anything else (`1e5`, `.5`, `1.`). A scan rather than a
 * regular expression: it runs for every value of every decimal column.
 */
function decimalIntDigits(s: string): number {
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 43 || c === 45) c = s.charCodeAt(++i);
  const start = i;
  while (c === 48) c = s.charCodeAt(++i);
  const significant = i;
  while (c >= 48 && c <= 57) c = s.charCodeAt(++i);
  if (i === start) return -1;
  const intDigits = i - significant;
  if (i === n) return intDigits;
  if (c !== 46) return -1;
  const fraction = ++i;
  for (c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i));
  return i > fraction && i === n ? intDigits : -1;
}

/** A value that is a number (or a number's text) and so belongs in a numeric column. */
export function isNumeric(v: unknown): boolean {
  return (
    typeof v === "number" ||
    typeof v === "bigint" ||
    v instanceof ExactNumber ||
    (typeof v === "string" && decimalIntDigits(v) >= 0)
  );
}

function decimalFits(s: string, col: Column | undefined): boolean {
  const intDigits = decimalIntDigits(s);
  return intDigits >= 0 && intDigits <= (col?.precision ?? DEFAULT_PRECISION) - (col?.scale ?? DEFAULT_SCALE);
}

/**
 * The value in the column's encoding, or NO_FIT. Coercions follow dlt: numbers become text in
 * text columns, numeric strings become numbers in numeric columns, and so on; anything lossy
 * or unparseable does not fit and lands in a variant column instead of failing the load.
 */
export function coerce(v: unknown, type: DataType, col?: Column): Encoded | typeof NO_FIT {
  switch (type) {
    case "text":
      if (typeof v === "string") return v;
      if (typeof v === "number") return Number.isFinite(v) ? String(v) : NO_FIT;
      if (typeof v === "bigint" || typeof v === "boolean") return String(v);
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? NO_FIT : v.toISOString();
      if (v instanceof ExactNumber) return v.text;
      return NO_FIT;
    case "bigint":
      if (typeof v === "number") return Number.isSafeInteger(v) ? v : NO_FIT;
      if (typeof v === "bigint") return v >= INT64_MIN && v <= INT64_MAX ? v.toString() : NO_FIT;
      if (v instanceof ExactNumber) return exactType(v) === "bigint" ? v.text : NO_FIT;
      if (typeof v === "string" && INT_RE.test(v)) {
        const b = BigInt(v);
        if (b < INT64_MIN || b > INT64_MAX) return NO_FIT;
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : b.toString();
      }
      return NO_FIT;
    case "double":
      if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
      if (typeof v === "bigint") return Number(v);
      if (typeof v === "string" && decimalIntDigits(v) >= 0) return Number(v);
      // A double would round it: it goes to a variant column that keeps every digit.
      return NO_FIT;
    case "bool":
      if (typeof v === "boolean") return v;
      if (v === "true" || v === "false") return v === "true";
      return NO_FIT;
    case "timestamp":
      if (typeof v === "string") return parseTimestamp(v) ?? NO_FIT;
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? NO_FIT : v.toISOString();
      // dlt reads numbers in timestamp columns as unix seconds.
      if (typeof v === "number" && Number.isFinite(v) && Math.abs(v) < 1e11) return new Date(v * 1000).toISOString();
      return NO_FIT;
    case "date":
      if (typeof v === "string") return parseDate(v) ?? NO_FIT;
      if (v instanceof Date) {
        const iso = Number.isNaN(v.getTime()) ? "" : v.toISOString();
        return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : NO_FIT;
      }
      return NO_FIT;
    case "decimal":
      if (typeof v === "string") return decimalFits(v, col) ? v : NO_FIT;
      if (typeof v === "number") {
        const s = String(v);
        return Number.isFinite(v) && decimalFits(s, col) ? s : NO_FIT;
      }
      if (typeof v === "bigint") {
        const s = v.toString();
        return decimalFits(s, col) ? s : NO_FIT;
      }
      if (v instanceof ExactNumber) return decimalFits(v.text, col) ? v.text : NO_FIT;
      return NO_FIT;
    case "json":
      return toJsonValue(v);
    case "binary":
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
      return NO_FIT;
  }
}
