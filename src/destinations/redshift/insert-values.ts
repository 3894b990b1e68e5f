import type { Column } from "../../schema/types.js";
import { stripNulDeep, toNaiveUtc } from "../../writers/copy-text.js";

/**
 * How the engine spells the two values that are not plain literals: a SUPER from JSON text and a
 * VARBYTE from hex. Redshift: `JSON_PARSE('...')`, `FROM_HEX('...')`; the Postgres stand-in of the
 * tests (test/destinations/redshift-on-postgres.ts) spells them for jsonb and bytea.
 */
export interface ValueSpelling {
  json(quotedText: string): string;
  binary(quotedHex: string): string;
}

export const REDSHIFT_SPELLING: ValueSpelling = {
  json: (q) => `JSON_PARSE(${q})`,
  binary: (q) => `FROM_HEX(${q})`,
};

/**
 * A Redshift string literal. Redshift keeps the pre-9.1 Postgres rule that a backslash in '...'
 * escapes (dlt's escape_redshift_literal doubles it); quotes are doubled. NUL cannot be stored in
 * VARCHAR: it is removed and counted (`onNul`), as the Postgres destination does.
 */
export function redshiftString(s: string, onNul: (n: number) => void): string {
  let v = s;
  if (v.includes("\0")) {
    const before = v.length;
    v = v.replace(/\0/g, "");
    onNul(before - v.length);
  }
  return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?\d+(\.\d+)?$/;
const SPECIAL_DOUBLE = new Set(["NaN", "Infinity", "-Infinity"]);

type Encode = (v: unknown) => string;

/** Load-file rows (JSON lines in the canonical encoding of `normalize/coerce.ts`) to VALUES tuples. */
export class ValuesEncoder {
  nulStripped = 0;
  private readonly names: string[];
  private readonly encoders: Encode[];
  private readonly countNul = (n: number) => {
    this.nulStripped += n;
  };

  constructor(
    columns: Column[],
    private readonly spelling: ValueSpelling,
  ) {
    this.names = columns.map((c) => c.name);
    this.encoders = columns.map((c) => this.encoderFor(c));
  }

  private encoderFor(c: Column): Encode {
    const str = (v: unknown) => redshiftString(typeof v === "string" ? v : String(v), this.countNul);
    const checked = (re: RegExp, what: string) => (v: unknown) => {
      const s = String(v);
      if (!re.test(s)) throw new Error(`column ${c.name}: ${JSON.stringify(v)} is not ${what}`);
      return s;
    };
    switch (c.dataType) {
      case "text":
      case "date":
        return str;
      case "bigint":
        return checked(INTEGER, "an integer");
      case "decimal":
        return checked(DECIMAL, "a decimal");
      case "double":
        return (v) => {
          if (typeof v === "number" && Number.isFinite(v)) return String(v);
          const s = String(v);
          if (SPECIAL_DOUBLE.has(s)) return `'${s}'`;
          return checked(/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i, "a number")(s);
        };
      case "bool":
        return (v) => (v === true || v === "true" ? "TRUE" : "FALSE");
      case "timestamp":
        return c.timezone === false ? (v) => str(toNaiveUtc(String(v))) : str;
      case "json":
        return (v) => this.spelling.json(redshiftString(JSON.stringify(stripNulDeep(v, this.countNul)), this.countNul));
      case "binary":
        return (v) => this.spelling.binary(`'${Buffer.from(String(v), "base64").toString("hex")}'`);
    }
  }

  /** `(v1, v2, ...)` for one parsed load-file line. */
  tuple(row: Record<string, unknown>): string {
    let out = "(";
    for (let i = 0; i < this.names.length; i++) {
      const v = row[this.names[i]!];
      if (i > 0) out += ", ";
      out += v === undefined || v === null ? "NULL" : this.encoders[i]!(v);
    }
    return out + ")";
  }
}

/**
 * Multi-row INSERT statements over `tuples`, each at most `maxBytes` of SQL (Redshift refuses a
 * statement over 16 MB; dlt keeps its insert_values batches under that too). A single row longer
 * than the bound goes alone.
 */
export async function* insertBatches(
  head: string,
  tuples: AsyncIterable<string> | Iterable<string>,
  maxBytes: number,
): AsyncGenerator<string> {
  let parts: string[] = [];
  let size = Buffer.byteLength(head);
  const base = size;
  for await (const t of tuples) {
    const n = Buffer.byteLength(t) + 2;
    if (parts.length > 0 && size + n > maxBytes) {
      yield head + parts.join(",\n");
      parts = [];
      size = base;
    }
    parts.push(t);
    size += n;
  }
  if (parts.length > 0) yield head + parts.join(",\n");
}
