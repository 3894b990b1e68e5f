import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExactNumber, parseJsonExact } from "../../src/util/lossless-json.js";
import { MARK, decodeTyped, encodeTypedLine, isPlainJsonText } from "../../src/util/typed-json.js";

describe("typed JSON lines", () => {
  it("writes plain JSON values exactly as JSON.stringify does (the fast path)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(encodeTypedLine(v)).toBe(JSON.stringify(v));
      }),
      { seed: 20261202, numRuns: 300 },
    );
  });

  it("keeps what JSON loses, wherever it sits in an item", () => {
    const at = new Date("2026-12-02T05:00:00.000Z");
    const item = {
      plain: { a: [1, "x", null, true] },
      deep: { list: [{ when: at }] },
      big: 12345678901234567890n,
      exact: new ExactNumber("9007199254740993"),
      bytes: new Uint8Array([1, 2, 3]),
      marked: `${MARK}looks typed`,
      inf: Number.POSITIVE_INFINITY,
      gone: undefined,
      fn: () => 1,
    };
    const back = JSON.parse(encodeTypedLine(item), (_k, v: unknown) => (typeof v === "string" ? decodeTyped(v) : v)) as Record<
      string,
      unknown
    >;
    expect((back.deep as { list: [{ when: Date }] }).list[0].when).toEqual(at);
    expect(back.big).toBe(12345678901234567890n);
    expect(back.exact).toEqual(new ExactNumber("9007199254740993"));
    expect(Buffer.from(back.bytes as Buffer)).toEqual(Buffer.from([1, 2, 3]));
    expect(back.marked).toBe(`${MARK}looks typed`);
    expect(back.inf).toBe(Number.POSITIVE_INFINITY);
    expect(back.plain).toEqual({ a: [1, "x", null, true] });
    expect("gone" in back || "fn" in back).toBe(false);
  });
});

describe("plain JSON text (extract's pages written without walking them)", () => {
  /** Values whose text often holds the marker, its escape or numbers a double cannot hold. */
  const tricky = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom(`${MARK}x`, `a${MARK}`, "9007199254740993", "12345678.123456789", "1e400", "0.1"),
  );
  const texts = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.array(tricky, { maxLength: 4 }).map((v) => JSON.stringify(v)),
    fc.constantFrom(
      `{"a":"\\uf026S"}`,
      `{"a":"\\uF026"}`,
      `{"a":"x\\uf026"}`,
      `[9007199254740993]`,
      `{"n":12345678.123456789}`,
      `[1e400, 2]`,
      `{"id":"5ae31b79b298e0d592681309804765c8","n":1.5}`,
    ),
  );

  it("is only said of text whose parse the typed writer would write as JSON.stringify does", () => {
    fc.assert(
      fc.property(texts, (text) => {
        const value = parseJsonExact(text);
        if (isPlainJsonText(text)) expect(encodeTypedLine(value, "plain")).toBe(encodeTypedLine(value));
      }),
      { seed: 20261202, numRuns: 1000 },
    );
  });

  it("refuses the marker as a character or an escape, and numbers a double rounds", () => {
    expect(isPlainJsonText(`{"id":"5ae31b79b298e0d592681309804765c8","n":1.5,"s":"a\\u00e9"}`)).toBe(true);
    expect(isPlainJsonText(JSON.stringify({ s: `${MARK}D2026` }))).toBe(false);
    expect(isPlainJsonText(`{"s":"\\uf026D2026"}`)).toBe(false);
    expect(isPlainJsonText(`{"s":"\\uF026"}`)).toBe(false);
    expect(isPlainJsonText(`{"n":9007199254740993}`)).toBe(false);
    expect(isPlainJsonText(`{"n":12345678.123456789}`)).toBe(false);
  });
});
