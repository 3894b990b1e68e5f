import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NamingConvention, computeTag } from "../../src/normalize/naming.js";

// Expected values were produced by running dlt's snake_case rules (reference §4.1) in Python.
const CASES: Array<[string, number | undefined, string]> = [
  ["DealFlow", undefined, "deal_flow"],
  ["createdAt", undefined, "created_at"],
  ["HTTPCode", undefined, "http_code"],
  ["  a b  ", undefined, "a_b"],
  ["1st", undefined, "_1st"],
  ["a__b", undefined, "a_b"],
  ["trailing_", undefined, "trailingx"],
  ["$$$", undefined, "x"],
  ["@odata.nextLink", undefined, "aodata_next_link"],
  ["$items", undefined, "_items"],
  ["a-b+c*d@e|f", undefined, "a_bxcxdaelf"],
  ["Ünïcode", undefined, "_n_code"],
  ["user name (x)", undefined, "user_name_xx"],
  ["٣abc", undefined, "_٣abc"],
  ["x__", undefined, "xxx"],
  ["_x", undefined, "_x"],
  ["__dlt", undefined, "_dlt"],
  ["ABCDef", undefined, "abc_def"],
  ["already_snake", undefined, "already_snake"],
  ["CamelCaseHTTPServer2Go", undefined, "camel_case_http_server2_go"],
  ["a.b.c", undefined, "a_b_c"],
  ["with space and CAPS", undefined, "with_space_and_caps"],
  ["x".repeat(100), 63, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxt1vuzaxxxxxxxxxxxxxxxxxxxxxxxxxxxx"],
  [
    "very_long_column_name_that_goes_on_and_on_and_on_beyond_the_postgres_limit_of_63",
    63,
    "very_long_column_name_that_goebok8qond_the_postgres_limit_of_63",
  ],
  ["sales_invoices__invoice_lines__tax_breakdown__something_long_here_too", 40, "sales_invoices_inrat5naing_long_here_too"],
];

describe("snake_case naming (dlt rules)", () => {
  it.each(CASES)("%j (max %s) -> %s", (input, max, expected) => {
    expect(new NamingConvention(max).normalizeIdentifier(input)).toBe(expected);
  });

  it("gives an empty or blank key a deterministic name instead of failing", () => {
    const n = new NamingConvention();
    expect(n.normalizeIdentifier("")).toBe("_empty");
    expect(n.normalizeIdentifier("   ")).toBe("_empty");
  });

  it("folds keys that differ only in case to the same name (the normalizer disambiguates them)", () => {
    const n = new NamingConvention();
    expect(n.normalizeIdentifier("Id")).toBe(n.normalizeIdentifier("id"));
  });

  it("normalizes paths part by part and shortens the whole", () => {
    const n = new NamingConvention(63);
    expect(n.normalizePath("Invoices__InvoiceLines")).toBe("invoices__invoice_lines");
    const long = n.shortenFragments("a".repeat(40), "b".repeat(40));
    expect(long).toHaveLength(63);
    expect(long).toContain(computeTag(`${"a".repeat(40)}__${"b".repeat(40)}`));
  });

  const identifier = fc.string({ minLength: 1, maxLength: 120, unit: "grapheme" });

  it("is idempotent, never empty, never ends in _ and never contains __", () => {
    const n = new NamingConvention();
    fc.assert(
      fc.property(identifier, (s) => {
        const once = n.normalizeIdentifier(s);
        expect(once.length).toBeGreaterThan(0);
        expect(once.endsWith("_")).toBe(false);
        expect(once.includes("__")).toBe(false);
        expect(n.normalizeIdentifier(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it("shortens stably to exactly the limit and keeps distinct long names distinct", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 70, maxLength: 200 }), fc.integer({ min: 16, max: 63 }), (s, max) => {
        const a = new NamingConvention(max).normalizeIdentifier(s);
        const b = new NamingConvention(max).normalizeIdentifier(s);
        expect(a).toBe(b);
        expect(a.length).toBeLessThanOrEqual(max);
      }),
      { numRuns: 500 },
    );
    const n = new NamingConvention(30);
    const x = n.normalizeIdentifier(`${"c".repeat(40)}_one`);
    const y = n.normalizeIdentifier(`${"c".repeat(40)}_two`);
    expect(x).not.toBe(y);
  });
});
