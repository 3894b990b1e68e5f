import type * as Sdk from "snowflake-sdk";
import type { ResultRow } from "../destination.js";

/** A JS Date (the SDK's SfDate/SfTimestamp extend it) without the SDK's extra methods. */
function plainDate(v: unknown): Date {
  return new Date((v as Date).getTime());
}

/**
 * One result row in this project's value types, keys lower-cased (the destination creates upper-case
 * names, see dialect.ts; the pipeline's names are lower case). Numbers arrive as text
 * (`fetchAsString: ["Number"]`): NUMBER with scale 0 is a number, or a bigint past 2^53; with a
 * scale it stays its exact decimal text; FLOAT is a number. DATE is `YYYY-MM-DD`, timestamps are
 * Dates (UTC instants), VARIANT is parsed JSON, BINARY a Buffer.
 */
export function rowFromSnowflake(row: ResultRow, columns: Sdk.Column[]): ResultRow {
  const out: ResultRow = {};
  for (const c of columns) {
    const name = c.getName();
    const v = row[name];
    out[name.toLowerCase()] = v === null || v === undefined ? null : valueOf(c, v);
  }
  return out;
}

function valueOf(c: Sdk.Column, v: unknown): unknown {
  const type = c.getType().toLowerCase();
  switch (type) {
    case "fixed": {
      const s = String(v);
      // fetchAsString spells a NULL number "NULL" (never a number's text)
      if (s === "NULL") return null;
      if (c.getScale() > 0) return s;
      const n = Number(s);
      return Number.isSafeInteger(n) ? n : BigInt(s);
    }
    case "real":
      return String(v) === "NULL" ? null : Number(String(v));
    case "date":
      return plainDate(v).toISOString().slice(0, 10);
    case "timestamp_tz":
    case "timestamp_ltz":
    case "timestamp_ntz":
      return plainDate(v);
    default:
      return v;
  }
}
