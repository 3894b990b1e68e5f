import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Item } from "../../src/extract/index.js";
import { isPlainJsonPage } from "../../src/extract/plain-page.js";
import { HttpResponse } from "../../src/http/index.js";
import { displacedName, pageRows, sourceRows } from "../../src/sage/rows.js";
import { MARK } from "../../src/util/typed-json.js";

const business = { id: "b0", name: "Business 0" };

/** The rows as src/sage/rows.ts built them before it copied on write: one deep copy of every item. */
function copiedRows(items: unknown[]): Item[] {
  const deep = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(deep);
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!(k === "links" && Array.isArray(v))) out[k] = deep(v);
    return out;
  };
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  return items.map((item) => {
    const row: Item = { business_id: business.id };
    if (item === null || typeof item !== "object" || Array.isArray(item)) return { ...row, value: item };
    const src = item as Record<string, unknown>;
    for (const [k, v] of Object.entries(src)) {
      if (k === "links" && Array.isArray(v)) continue;
      const key = squash(k) === "businessid" ? displacedName(k, (n) => (n in src && n !== "links") || n in row) : k;
      row[key] = deep(v);
    }
    return row;
  });
}

/** JSON values whose keys are often `links` (an array or not) or name the source column. */
const KEYS = fc.oneof(
  fc.constantFrom("links", "links", "id", "business_id", "BusinessId", "item_business_id", "business-id", "1", "total"),
  fc.string({ maxLength: 12 }).filter((k) => k !== "__proto__"),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(KEYS, tie("value"), { maxKeys: 6 }),
  ),
}));
/** A page of items as the response parser gives them (plain objects, own keys only). */
const page = fc.array(value, { maxLength: 5 }).map((items) => JSON.parse(JSON.stringify(items)) as unknown[]);

describe("Sage rows (business_id first, links left out, copy on write)", () => {
  it("equal the deep-copied rows for any page, and leave the page as it was", () => {
    fc.assert(
      fc.property(page, (items) => {
        const before = JSON.stringify(items);
        const rows = sourceRows(items, business);
        expect(JSON.stringify(rows)).toBe(JSON.stringify(copiedRows(items)));
        expect(JSON.stringify(items)).toBe(before);
      }),
      { seed: 20261202, numRuns: 2000 },
    );
  });

  it("share nested values without links with the page, and copy only the way to a links array", () => {
    const [item] = JSON.parse(
      JSON.stringify([
        {
          id: "i1",
          links: [{ href: "https://app.example/i1" }],
          contact: { id: "c1", displayed_as: "C" },
          lines: [{ id: "l1", links: [{ href: "x" }], tax: { id: "t1" } }, { id: "l2" }],
        },
      ]),
    ) as [Record<string, unknown>];
    const [row] = sourceRows([item], business) as [Record<string, unknown>];
    expect(row).toEqual({
      business_id: "b0",
      id: "i1",
      contact: { id: "c1", displayed_as: "C" },
      lines: [{ id: "l1", tax: { id: "t1" } }, { id: "l2" }],
    });
    const lines = item.lines as Array<Record<string, unknown>>;
    const rowLines = row.lines as Array<Record<string, unknown>>;
    expect(row.contact).toBe(item.contact);
    expect(rowLines).not.toBe(lines);
    expect(rowLines[0]).not.toBe(lines[0]);
    expect(rowLines[0]!.tax).toBe(lines[0]!.tax);
    expect(rowLines[1]).toBe(lines[1]);
    expect(lines[0]!.links).toEqual([{ href: "x" }]);
  });

  it("are tagged as plain JSON only when the response's body and the business id say so", () => {
    const response = (body: unknown) =>
      new HttpResponse(200, "OK", new Headers(), "https://api.example/x", JSON.stringify(body), { method: "GET", url: "x" });
    const plain = response({ $items: [{ id: "i1", links: [] }] });
    const items = (plain.json() as { $items: unknown[] }).$items;
    expect(isPlainJsonPage(pageRows(items, business, plain))).toBe(true);
    expect(isPlainJsonPage(pageRows(items, business, response({ $items: [{ id: `${MARK}i1` }] })))).toBe(false);
    expect(isPlainJsonPage(pageRows(items, { id: `${MARK}b0`, name: "odd" }, plain))).toBe(false);
    const long = new HttpResponse(200, "OK", new Headers(), "x", `{"$items":[{"n":9007199254740993}]}`, {
      method: "GET",
      url: "x",
    });
    expect(isPlainJsonPage(pageRows((long.json() as { $items: unknown[] }).$items, business, long))).toBe(false);
  });
});
