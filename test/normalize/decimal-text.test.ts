import { describe, expect, it } from "vitest";
import { NO_FIT, coerce, isNumeric } from "../../src/normalize/coerce.js";

describe("decimal text", () => {
  it("is a sign, ASCII digits and at most one point with digits on both sides; leading zeros do not count", () => {
    const col = { name: "m", dataType: "decimal" as const, nullable: true, precision: 5, scale: 2 };
    for (const s of ["0", "-0", "+7", "00012.34", "999.99", "000999.5", "-999"]) expect(coerce(s, "decimal", col)).toBe(s);
    for (const s of ["1000", "1000.0", "-1000", "", "+", "-", ".", "1.", ".5", "1e5", "1.2.3", " 1", "1 ", "٣", "0x1", "1,5"]) {
      expect(coerce(s, "decimal", col)).toBe(NO_FIT);
    }
    expect(isNumeric("12.50")).toBe(true);
    expect(isNumeric("12.")).toBe(false);
    expect(coerce("-0.5", "double")).toBe(-0.5);
    expect(coerce("1e5", "double")).toBe(NO_FIT);
  });
});
