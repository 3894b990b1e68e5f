/**
 * JSON lines that keep the JavaScript types JSON loses (Date, bigint, binary), so that the raw
 * files extract writes carry exactly what the resource yielded. A typed value is a string that
 * starts with a private-use marker; a user string that happens to start with the marker is
 * escaped. Normalize decodes lazily: it already inspects every string for type detection.
 */
import { ExactNumber, mayHoldInexactNumber } from "./lossless-json.js";

export const MARK = "\uF026";
const MARK_CODE = 0xf026;

/**
 * True when plain JSON.stringify writes `v` exactly as the typed encoding would: only plain
 * objects, arrays, finite numbers, booleans, null and strings without the marker. Most items
 * are (they came from JSON.parse), and the native path without a replacer is about twice as
 * fast; anything else (a Date, bigint, ExactNumber, bytes, undefined, a toJSON) takes the replacer.
 */
function isPlain(v: unknown): boolean {
  if (typeof v === "string") return v.charCodeAt(0) !== MARK_CODE;
  if (typeof v === "number") return Number.isFinite(v);
  if (typeof v !== "object") return typeof v === "boolean";
  if (v === null) return true;
  if (Array.isArray(v)) {
    for (const x of v as unknown[]) if (!isPlain(x)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in v) if (!isPlain((v as Record<string, unknown>)[k])) return false;
  return true;
}

/** `\uF026` written as a JSON escape (any case): JSON.parse turns it into the marker. */
const MARK_ESCAPE = /\\u[fF]026/;

/**
 * True when whatever parseJsonExact makes of `text` is plain (what isPlain checks, known from
 * the text instead of walking every value): it takes the native parser, which gives only plain
 * objects, arrays, finite numbers, booleans, null and strings, and no string can hold the marker
 * because the text has it neither as a character nor as an escape. `native`: what the parse of
 * this text noted (parseJsonExactNoting), which spares a scan.
 */
export function isPlainJsonText(text: string, native = !mayHoldInexactNumber(text)): boolean {
  return native && !text.includes(MARK) && !MARK_ESCAPE.test(text);
}

/** `known` (the caller knows the value is plain, see isPlainJsonText) skips the check. */
export function encodeTypedLine(item: unknown, known?: "plain"): string {
  if (known === "plain" || isPlain(item)) return JSON.stringify(item);
  return JSON.stringify(item, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = key === "" ? value : this[key];
    if (typeof value === "string") {
      if (raw instanceof Date) {
        return Number.isNaN(raw.getTime()) ? null : `${MARK}D${raw.toISOString()}`;
      }
      // A number a double cannot hold: its digits, exactly as the response had them.
      if (raw instanceof ExactNumber) return `${MARK}X${raw.text}`;
      return value.charCodeAt(0) === MARK_CODE ? `${MARK}S${value}` : value;
    }
    if (typeof value === "bigint") return `${MARK}N${value.toString()}`;
    if (raw instanceof Uint8Array) return `${MARK}B${Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("base64")}`;
    if (raw instanceof ArrayBuffer) return `${MARK}B${Buffer.from(raw).toString("base64")}`;
    if (typeof value === "number" && !Number.isFinite(value)) return `${MARK}F${String(value)}`;
    if (typeof value === "function" || typeof value === "symbol") return undefined;
    return value;
  });
}

/** True when `s` carries a typed value (checked before calling decodeTyped on the hot path). */
export function isTyped(s: string): boolean {
  return s.charCodeAt(0) === MARK_CODE;
}

/** Decode a marked string back to the value extract saw. */
export function decodeTyped(s: string): unknown {
  const tag = s[1];
  const body = s.slice(2);
  switch (tag) {
    case "D":
      return new Date(body);
    case "N":
      return BigInt(body);
    case "X":
      return new ExactNumber(body);
    case "B":
      return Buffer.from(body, "base64");
    case "F":
      return Number(body);
    case "S":
      return body;
    default:
      return s;
  }
}
