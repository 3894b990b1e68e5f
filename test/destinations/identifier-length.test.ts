import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { POSTGRES_CAPABILITIES } from "../../src/destinations/postgres/index.js";
import { NamingConvention } from "../../src/normalize/naming.js";

// Postgres counts its identifier limit in UTF-8 bytes and silently cuts longer names, so the
// naming convention must shorten by bytes too (names keep Unicode digits, 2-4 bytes each).
describe("identifier length in bytes (Postgres: 63)", () => {
  const max = POSTGRES_CAPABILITIES.maxIdentifierLength;
  const naming = new NamingConvention(max);

  it("shortens multi-byte names to at most 63 bytes, deterministically, without splitting a character", () => {
    const name = naming.normalizeIdentifier("٣".repeat(40));
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(max);
    expect(name).toBe(new NamingConvention(max).normalizeIdentifier("٣".repeat(40)));
    expect(Buffer.from(name, "utf8").toString("utf8")).toBe(name);
    expect(name).not.toContain("\uFFFD");
    expect(naming.normalizeIdentifier("𝟎".repeat(20))).toMatch(/^_𝟎+/u);
  });

  it("leaves ASCII names exactly as dlt's character rule does", () => {
    expect(naming.normalizeIdentifier("x".repeat(100))).toBe("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxt1vuzaxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  });

  it("property: every normalized name and path fits in 63 bytes", () => {
    const key = fc.string({ unit: fc.constantFrom("a", "B", "_", "٣", "𝟎", "९", " ", "é", "1"), minLength: 1, maxLength: 120 });
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(Buffer.byteLength(naming.normalizeIdentifier(a))).toBeLessThanOrEqual(max);
        expect(Buffer.byteLength(naming.normalizePath(`${a}__${b}`))).toBeLessThanOrEqual(max);
        expect(
          Buffer.byteLength(naming.shortenFragments(naming.normalizeIdentifier(a), naming.normalizeIdentifier(b))),
        ).toBeLessThanOrEqual(max);
      }),
      { numRuns: 300 },
    );
  });
});
