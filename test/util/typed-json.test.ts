import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExactNumber } from "../../src/util/lossless-json.js";
import { MARK, decodeTyped, encodeTypedLine } from "../../src/util/typed-json.js";

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
