/**
 * Canonical JS values for rows read from Postgres, the same as DuckDB gives (see
 * `duckdb/connection.ts`), so the dataset API and the conformance suite compare destinations:
 * bigint → number (bigint when unsafe), numeric → string as printed, date → `YYYY-MM-DD`,
 * timestamps → Date (a naive timestamp is UTC), json/jsonb → parsed, bytea → Buffer.
 * Parsers take Postgres' text output; both `pg` and PGlite accept them per type OID.
 */
export const PG_TYPE = {
  BOOL: 16,
  BYTEA: 17,
  INT8: 20,
  INT2: 21,
  INT4: 23,
  JSON: 114,
  FLOAT4: 700,
  FLOAT8: 701,
  DATE: 1082,
  TIMESTAMP: 1114,
  TIMESTAMPTZ: 1184,
  NUMERIC: 1700,
  JSONB: 3802,
} as const;

const TS_RE = /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?( BC)?$/;

/** Postgres' ISO timestamp output (`2024-01-01 08:00:00.123456+00`) as a Date; no offset = UTC. */
export function parseTimestamp(text: string): Date | string {
  const m = TS_RE.exec(text);
  if (!m) return text; // infinity, -infinity: no Date can hold them
  let year = Number(m[1]);
  if (m[12]) year = 1 - year;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  const d = new Date(0);
  d.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), ms);
  if (m[8]) {
    const offsetSeconds = Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0);
    d.setTime(d.getTime() - (m[8] === "-" ? -1 : 1) * offsetSeconds * 1000);
  }
  return d;
}

function parseInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function parseBytea(text: string): Buffer {
  // bytea_output = 'hex' is set on every session.
  return text.startsWith("\\x") ? Buffer.from(text.slice(2), "hex") : Buffer.from(text, "latin1");
}

const identity = (text: string) => text;

export const CANONICAL_PARSERS: Record<number, (text: string) => unknown> = {
  [PG_TYPE.BOOL]: (t) => t === "t" || t === "true",
  [PG_TYPE.BYTEA]: parseBytea,
  [PG_TYPE.INT8]: parseInt8,
  [PG_TYPE.INT2]: Number,
  [PG_TYPE.INT4]: Number,
  [PG_TYPE.FLOAT4]: Number,
  [PG_TYPE.FLOAT8]: Number,
  [PG_TYPE.NUMERIC]: identity,
  [PG_TYPE.DATE]: identity,
  [PG_TYPE.TIMESTAMP]: parseTimestamp,
  [PG_TYPE.TIMESTAMPTZ]: parseTimestamp,
  [PG_TYPE.JSON]: (t): unknown => JSON.parse(t),
  [PG_TYPE.JSONB]: (t): unknown => JSON.parse(t),
};

/** Statements every session runs first, so values print and parse the same on every server. */
export function sessionSetupSql(searchPath: string): string[] {
  return [
    "SET TIME ZONE 'UTC'",
    "SET datestyle = 'ISO, YMD'",
    "SET bytea_output = 'hex'",
    "SET extra_float_digits = 1",
    `SET search_path TO ${searchPath}`,
  ];
}
