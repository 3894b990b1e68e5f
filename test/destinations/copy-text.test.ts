import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CopyRowEncoder, escapeCopyText, stripNulDeep, toNaiveUtc } from "../../src/destinations/postgres/copy-text.js";
import { CANONICAL_PARSERS, PG_TYPE, parseTimestamp } from "../../src/destinations/postgres/pg-values.js";
import type { Column } from "../../src/schema/types.js";

/** Postgres' reading of one COPY text row (the subset of escapes COPY text output uses). */
function decodeRow(row: string): Array<string | null> {
  return row
    .replace(/\n$/, "")
    .split("\t")
    .map((f) => {
      if (f === "\\N") return null;
      return f.replace(/\\(.)/g, (_, c: string) => ({ t: "\t", n: "\n", r: "\r", "\\": "\\" })[c] ?? c);
    });
}

const col = (name: string, dataType: Column["dataType"], extra: Partial<Column> = {}): Column => ({
  name,
  dataType,
  nullable: true,
  ...extra,
});

describe("COPY text encoding", () => {
  it("escapes backslash, tab, newline and carriage return, and nothing else", () => {
    expect(escapeCopyText("plain ✓ 'q' \"dq\"")).toBe("plain ✓ 'q' \"dq\"");
    expect(escapeCopyText("a\\b\tc\nd\re")).toBe("a\\\\b\\tc\\nd\\re");
    expect(escapeCopyText("\\N")).toBe("\\\\N");
    expect(escapeCopyText("\\.")).toBe("\\\\.");
  });

  it("property: any string survives escape + Postgres' unescape, minus its NUL characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        let removed = 0;
        const escaped = escapeCopyText(s, (n) => (removed += n));
        expect(escaped).not.toMatch(/[\t\n\r\0]/);
        expect(decodeRow(escaped)).toEqual([s.replace(/\0/g, "")]);
        expect(removed).toBe(s.length - s.replace(/\0/g, "").length);
      }),
      { numRuns: 500 },
    );
  });

  it("property: rows of text and json columns keep column boundaries and NULLs", () => {
    const value = fc.option(fc.string({ unit: "binary", maxLength: 40 }), { nil: null });
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), (values) => {
        const cols = values.map((_, i) => col(`c${i}`, "text"));
        const enc = new CopyRowEncoder(cols);
        const line = JSON.stringify(Object.fromEntries(values.map((v, i) => [`c${i}`, v])));
        const row = enc.encode(line);
        expect(row.endsWith("\n")).toBe(true);
        expect(row.slice(0, -1)).not.toContain("\n");
        expect(decodeRow(row)).toEqual(values.map((v) => (v === null ? null : v.replace(/\0/g, ""))));
      }),
      { numRuns: 1000 },
    );
  });

  it("encodes every data type as Postgres reads it", () => {
    const cols = [
      col("t", "text"),
      col("b", "bigint"),
      col("d", "double"),
      col("ok", "bool"),
      col("ts", "timestamp"),
      col("naive", "timestamp", { timezone: false }),
      col("day", "date"),
      col("dec", "decimal"),
      col("j", "json"),
      col("bin", "binary"),
      col("missing", "text"),
    ];
    const enc = new CopyRowEncoder(cols);
    const row = enc.encode(
      JSON.stringify({
        t: "x\ty",
        b: "9223372036854775807",
        d: "NaN",
        ok: false,
        ts: "2024-01-01T10:00:00+02:00",
        naive: "2024-01-01T01:30:00.123456-05:30",
        day: "2024-02-29",
        dec: "-12.500",
        j: { a: ["\t", "\u0000"] },
        bin: Buffer.from([0, 1, 255]).toString("base64"),
      }),
    );
    expect(row).toBe(
      "x\\ty\t9223372036854775807\tNaN\tf\t2024-01-01T10:00:00+02:00\t2024-01-01T07:00:00.123456\t2024-02-29\t-12.500\t" +
        '{"a":["\\\\t",""]}\t\\\\x0001ff\t\\N\n',
    );
    expect(enc.nulStripped).toBe(1);
  });

  it("converts offsets to UTC for naive timestamp columns", () => {
    expect(toNaiveUtc("2024-01-01T00:30:00+01:00")).toBe("2023-12-31T23:30:00");
    expect(toNaiveUtc("2024-01-01T00:30:00.5Z")).toBe("2024-01-01T00:30:00.5");
    expect(toNaiveUtc("2024-01-01T00:30:00")).toBe("2024-01-01T00:30:00");
    expect(toNaiveUtc("0099-03-01T00:00:00+0100")).toBe("0099-02-28T23:00:00");
  });

  it("strips NUL from json strings and keys", () => {
    let n = 0;
    expect(stripNulDeep({ "k\u0000": ["a\u0000", 1, null, { x: "\u0000\u0000" }] }, (c) => (n += c))).toEqual({
      k: ["a", 1, null, { x: "" }],
    });
    expect(n).toBe(4);
  });
});

describe("Postgres values to canonical JS values", () => {
  it("parses Postgres' text output", () => {
    expect(CANONICAL_PARSERS[PG_TYPE.INT8]!("42")).toBe(42);
    expect(CANONICAL_PARSERS[PG_TYPE.INT8]!("9007199254740993")).toBe(9007199254740993n);
    expect(CANONICAL_PARSERS[PG_TYPE.NUMERIC]!("12.500000000")).toBe("12.500000000");
    expect(CANONICAL_PARSERS[PG_TYPE.FLOAT8]!("-Infinity")).toBe(Number.NEGATIVE_INFINITY);
    expect(CANONICAL_PARSERS[PG_TYPE.BOOL]!("t")).toBe(true);
    expect(CANONICAL_PARSERS[PG_TYPE.DATE]!("2024-02-29")).toBe("2024-02-29");
    expect(CANONICAL_PARSERS[PG_TYPE.JSONB]!('{"a": [1]}')).toEqual({ a: [1] });
    expect(CANONICAL_PARSERS[PG_TYPE.BYTEA]!("\\x00ff")).toEqual(Buffer.from([0, 255]));
  });

  it("parses timestamps with and without offsets as instants", () => {
    expect((parseTimestamp("2024-01-01 08:00:00.123456+00") as Date).toISOString()).toBe("2024-01-01T08:00:00.123Z");
    expect((parseTimestamp("2024-01-01 08:00:00+05:30") as Date).toISOString()).toBe("2024-01-01T02:30:00.000Z");
    expect((parseTimestamp("2024-01-01 08:00:00-08") as Date).toISOString()).toBe("2024-01-01T16:00:00.000Z");
    expect((parseTimestamp("2024-01-01 08:00:00") as Date).toISOString()).toBe("2024-01-01T08:00:00.000Z");
    expect((parseTimestamp("0050-01-01 00:00:00+00") as Date).getUTCFullYear()).toBe(50);
    expect(parseTimestamp("infinity")).toBe("infinity");
  });
});
