import type { Column } from "../schema/types.js";

/**
 * Load-file lines (JSON, values already in their column's canonical encoding, see
 * `normalize/coerce.ts`) to rows of Postgres' COPY text format: columns separated by tab, `\N`
 * for NULL, backslash, tab, newline and carriage return escaped. Postgres text cannot hold NUL
 * characters, so they are removed from text and json values and counted (the load warns, it
 * never fails on them).
 */

const SPECIAL = /[\\\t\n\r\0]/;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** Escape one value for COPY text; NUL characters are dropped and reported through `onNul`. */
export function escapeCopyText(s: string, onNul?: (count: number) => void): string {
  if (!SPECIAL.test(s)) return s;
  let out = s;
  if (out.includes("\0")) {
    const before = out.length;
    out = out.replace(/\0/g, "");
    onNul?.(before - out.length);
  }
  return out.replace(/[\\\t\n\r]/g, (ch) => ESCAPES[ch]!);
}

/** A JSON value with NUL characters removed from every string and key (jsonb rejects `\u0000`). */
export function stripNulDeep(v: unknown, onNul: (count: number) => void): unknown {
  if (typeof v === "string") {
    if (!v.includes("\0")) return v;
    const out = v.replace(/\0/g, "");
    onNul(v.length - out.length);
    return out;
  }
  if (Array.isArray(v)) return v.map((x) => stripNulDeep(x, onNul));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[stripNulDeep(k, onNul) as string] = stripNulDeep(x, onNul);
    return out;
  }
  return v;
}

const OFFSET_TS = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?(Z|z|[+-]\d\d:?\d\d)$/;

/**
 * A timestamp for a `timestamp without time zone` column: an offset is applied (to UTC) and
 * dropped. Postgres would silently ignore the offset instead.
 */
export function toNaiveUtc(s: string): string {
  const m = OFFSET_TS.exec(s);
  if (!m) return s;
  const off = m[8]!;
  let minutes = 0;
  if (off !== "Z" && off !== "z") {
    const digits = off.slice(1).replace(":", "");
    minutes = (off[0] === "-" ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]) - minutes, Number(m[6] ?? 0), 0);
  return `${d.toISOString().slice(0, 19)}${m[7] ?? ""}`;
}

type Encode = (v: unknown) => string;

/** Turns load-file lines into COPY text rows for a fixed column list. */
export class CopyRowEncoder {
  /** NUL characters removed so far. */
  nulStripped = 0;
  readonly names: string[];
  private readonly encoders: Encode[];
  private readonly countNul = (n: number) => {
    this.nulStripped += n;
  };

  constructor(columns: Column[]) {
    this.names = columns.map((c) => c.name);
    this.encoders = columns.map((c) => this.encoderFor(c));
  }

  private encoderFor(c: Column): Encode {
    const text = (v: unknown) => escapeCopyText(typeof v === "string" ? v : String(v), this.countNul);
    switch (c.dataType) {
      case "text":
        return text;
      case "bool":
        return (v) => (v === true || v === "true" ? "t" : "f");
      case "bigint":
      case "double":
      case "decimal":
      case "date":
        return (v) => String(v);
      case "timestamp":
        return c.timezone === false ? (v) => toNaiveUtc(String(v)) : (v) => String(v);
      case "json":
        return (v) => escapeCopyText(JSON.stringify(stripNulDeep(v, this.countNul)), this.countNul);
      case "binary":
        // bytea hex input `\x...`; the backslash is escaped for COPY text.
        return (v) => `\\\\x${Buffer.from(String(v), "base64").toString("hex")}`;
    }
  }

  /** One COPY row (a parsed load-file line), with its trailing newline. */
  encodeRow(row: Record<string, unknown>): string {
    return this.encodeFields(row) + "\n";
  }

  /** One COPY row without the newline (a line for a file writer). */
  encodeFields(row: Record<string, unknown>): string {
    let out = "";
    for (let i = 0; i < this.names.length; i++) {
      const v = row[this.names[i]!];
      if (i > 0) out += "\t";
      out += v === undefined || v === null ? "\\N" : this.encoders[i]!(v);
    }
    return out;
  }

  /** One COPY row from one load-file line. */
  encode(line: string): string {
    return this.encodeRow(JSON.parse(line) as Record<string, unknown>);
  }
}
