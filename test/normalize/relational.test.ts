import { describe, expect, it } from "vitest";
import { NamingConvention } from "../../src/normalize/naming.js";
import { RelationalNormalizer, type RootHints, type Row } from "../../src/normalize/relational.js";
import { Schema } from "../../src/schema/schema.js";
import { resolveContract, type SchemaContract } from "../../src/schema/types.js";
import { DataError } from "../../src/util/errors.js";

function setup(hints: Partial<RootHints> = {}, schema = new Schema("s")) {
  const rows: Record<string, Row[]> = {};
  const n = new RelationalNormalizer(schema, new NamingConvention(), "1.0", (t, r) => (rows[t] ??= []).push(r));
  n.registerRoot({
    resource: "items",
    table: "items",
    writeDisposition: "append",
    columns: new Map(),
    maxTableNesting: 1000,
    contract: resolveContract(undefined),
    ...hints,
  });
  return { n, rows, schema };
}

function cols(schema: Schema, table: string) {
  return Object.fromEntries(Object.values(schema.get(table)!.columns).map((c) => [c.name, c.dataType]));
}

describe("relational normalizer", () => {
  it("flattens objects, makes child tables with links, and infers types", () => {
    const { n, rows, schema } = setup();
    n.normalizeItem("items", {
      id: 7,
      Name: "Acme",
      createdAt: "2024-05-01T10:00:00Z",
      date: "2024-05-01",
      ok: true,
      ratio: 0.5,
      contact: { id: "c1", displayedAs: "C One" },
      lines: [{ sku: "A", tax: { rate: 20 } }, { sku: "B" }],
      tags: ["x", "y"],
      matrix: [[1, 2], [3]],
    });
    expect(cols(schema, "items")).toEqual({
      _dlt_load_id: "text",
      _dlt_id: "text",
      id: "bigint",
      name: "text",
      created_at: "timestamp",
      date: "date",
      ok: "bool",
      ratio: "double",
      contact__id: "text",
      contact__displayed_as: "text",
    });
    expect(cols(schema, "items__lines")).toEqual({
      _dlt_root_id: "text",
      _dlt_parent_id: "text",
      _dlt_list_idx: "bigint",
      _dlt_id: "text",
      sku: "text",
      tax__rate: "bigint",
    });
    expect(cols(schema, "items__tags")).toMatchObject({ value: "text" });
    expect(schema.get("items__lines")!.parent).toBe("items");
    const root = rows.items![0]!;
    const lines = rows.items__lines!;
    expect(lines.map((l) => [l.sku, l._dlt_list_idx, l._dlt_parent_id, l._dlt_root_id])).toEqual([
      ["A", 0, root._dlt_id, root._dlt_id],
      ["B", 1, root._dlt_id, root._dlt_id],
    ]);
    expect(rows.items__tags!.map((t) => t.value)).toEqual(["x", "y"]);
    // lists of lists go through a `value` level
    expect(rows.items__matrix!.length).toBe(2);
    expect(rows.items__matrix__value!.map((r) => r.value)).toEqual([1, 2, 3]);
    expect(rows.items__matrix__value!.every((r) => r._dlt_root_id === root._dlt_id)).toBe(true);
  });

  it("sends values that do not fit their column to variant columns instead of failing", () => {
    const { n, rows, schema } = setup();
    n.normalizeItem("items", { amount: 10, when: "2024-01-01T00:00:00Z" });
    n.normalizeItem("items", { amount: "ten", when: "yesterday" });
    n.normalizeItem("items", { amount: "12", when: 1700000000 });
    expect(cols(schema, "items")).toMatchObject({
      amount: "bigint",
      amount__v_text: "text",
      when: "timestamp",
      when__v_text: "text",
    });
    const r = rows.items!;
    expect(r[1]).toMatchObject({ amount__v_text: "ten", when__v_text: "yesterday" });
    expect(r[1]!.amount).toBeUndefined();
    // numeric strings coerce into a bigint column; unix seconds into a timestamp column
    expect(r[2]).toMatchObject({ amount: 12, when: "2023-11-14T22:13:20.000Z" });
    expect(schema.get("items")!.columns.amount__v_text!.variantOf).toBe("amount");
  });

  it("honours decimal hints on root and child columns by path", () => {
    const { n, rows, schema } = setup({
      columns: new Map([
        ["total", { dataType: "decimal" as const, precision: 12, scale: 2 }],
        ["lines__net", { dataType: "decimal" as const }],
      ]),
    });
    n.normalizeItem("items", { total: "1234.50", lines: [{ net: "0.10" }, { net: 3 }] });
    expect(schema.get("items")!.columns.total).toMatchObject({ dataType: "decimal", precision: 12, scale: 2 });
    expect(schema.get("items__lines")!.columns.net).toMatchObject({ dataType: "decimal", precision: 38, scale: 9 });
    expect(rows.items![0]!.total).toBe("1234.50");
    expect(rows.items__lines!.map((l) => l.net)).toEqual(["0.10", "3"]);
    // too many integer digits for (12,2): a variant, not a load failure
    n.normalizeItem("items", { total: "12345678901.00" });
    expect(rows.items![1]!.total__v_text).toBe("12345678901.00");
  });

  it("maxTableNesting stops flattening and child tables at the limit (json instead)", () => {
    const { n, rows, schema } = setup({ maxTableNesting: 1 });
    n.normalizeItem("items", { a: { b: { c: 1 } }, list: [{ x: { y: 2 }, inner: [1] }] });
    expect(cols(schema, "items")).toMatchObject({ a__b: "json" });
    expect(rows.items![0]!.a__b).toEqual({ c: 1 });
    expect(cols(schema, "items__list")).toMatchObject({ x: "json", inner: "json" });
    expect(rows.items__list![0]).toMatchObject({ x: { y: 2 }, inner: [1] });
    const { n: n0, rows: rows0, schema: s0 } = setup({ maxTableNesting: 0 });
    n0.normalizeItem("items", { a: { b: 1 }, l: [1, 2] });
    expect(cols(s0, "items")).toMatchObject({ a: "json", l: "json" });
    expect(rows0.items__l).toBeUndefined();
  });

  it("handles bad input deterministically: non-objects, empty and symbol keys, case-only duplicates, NUL, huge strings, deep nesting", () => {
    const { n, rows, schema } = setup();
    n.normalizeItem("items", 42);
    n.normalizeItem("items", "just text");
    n.normalizeItem("items", { "": 1, "   ": 2, $$$: 3, "@!#": 4 });
    n.normalizeItem("items", { Id: 1, id: 2 });
    n.normalizeItem("items", { id: 3, Id: 4 });
    const big = "é".repeat(1024 * 1024);
    n.normalizeItem("items", { s: `a\u0000b`, big });
    let deep: Record<string, unknown> = { leaf: "bottom" };
    for (let i = 0; i < 60; i++) deep = { [`k${i}`]: deep };
    n.normalizeItem("items", deep);
    let deepList: unknown = [{ v: 1 }];
    for (let i = 0; i < 60; i++) deepList = [{ inner: deepList }];
    n.normalizeItem("items", { deepList });
    const r = rows.items!;
    expect(r[0]!.value).toBe(42);
    expect(r[1]!.value__v_text).toBe("just text"); // `value` is bigint after 42
    // "" and "   " become _empty (the second a tagged twin); "$$$" -> "x", "@!#" -> "a_" -> "ax"
    expect(r[2]).toMatchObject({ _empty: 1, x: 3, ax: 4 });
    const twin = Object.keys(r[2]!).find((k) => k.startsWith("_empty_"));
    expect(twin && r[2]![twin]).toBe(2);
    // the later of two case-only twins gets a deterministic tagged name
    const idTwins = Object.keys(schema.get("items")!.columns).filter((c) => c.startsWith("id_"));
    expect(r[3]!.id).toBe(1);
    expect(r[4]!.id).toBe(3);
    expect(idTwins.length).toBe(2);
    expect(r[5]!.s).toBe("a\u0000b");
    expect((r[5]!.big as string).length).toBe(1024 * 1024);
    const deepCol = Object.keys(schema.get("items")!.columns).find((c) => c.endsWith("__leaf"))!;
    expect(deepCol.split("__")).toHaveLength(61);
    expect(r[6]![deepCol]).toBe("bottom");
    const deepest = [...schema.tables.keys()]
      .filter((t) => t.startsWith("items__deep_list"))
      .sort((a, b) => b.length - a.length)[0]!;
    expect(deepest.split("__").length).toBe(62);
  });

  it("tags a name already in the row whichever of key, variant or inherited name took it first (key plans see every claimant)", () => {
    const { n, rows } = setup();
    const data = (r: Row) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith("_dlt_")));
    n.normalizeItem("items", { amount: 1 });
    // A nested key gives `amount__v_text` first; the variant of `amount` then overwrites it in place.
    n.normalizeItem("items", { Amount: { v_text: "y" }, amount: "ten" });
    // The variant comes first, so the nested key, same place and name, gets the tagged name.
    n.normalizeItem("items", { amount: "ten", Amount: { v_text: "y" } });
    // Every row object inherits `constructor`, so that key is always tagged (as it always was).
    n.normalizeItem("items", { constructor: 1 });
    // A scalar takes `id` first: the object under `Id` flattens under the tagged name.
    n.normalizeItem("items", { id: 5, Id: { x: 1 } });
    n.normalizeItem("items", { Id: { x: 2 }, id: 6 });
    expect(rows.items!.map(data)).toEqual([
      { amount: 1 },
      { amount__v_text: "ten" },
      { amount__v_text: "ten", amount__v_text_a1zytw: "y" },
      { constructor_mesixq: 1 },
      { id: 5, id_lve13a__x: 1 },
      { id__x: 2, id: 6 },
    ]);
  });

  it("fails clearly when a merge row has no primary key value", () => {
    const { n } = setup({ writeDisposition: "merge", primaryKey: ["id"] });
    expect(() => {
      n.normalizeItem("items", { name: "x" });
    }).toThrow(/primary key column id/);
  });

  describe("schema contracts on a table that already exists", () => {
    function existing(contract: SchemaContract) {
      const schema = new Schema("s");
      setup({}, schema).n.normalizeItem("items", { id: 1, name: "a", sub: [{ x: 1 }] });
      return setup({ contract: resolveContract(contract) }, schema);
    }

    it("evolve adds columns", () => {
      const { n, schema } = existing("evolve");
      n.normalizeItem("items", { id: 2, extra: true });
      expect(cols(schema, "items")).toHaveProperty("extra", "bool");
    });

    it("freeze raises on a new column, a new table and a variant", () => {
      expect(() => {
        existing("freeze").n.normalizeItem("items", { id: 2, extra: true });
      }).toThrow(DataError);
      expect(() => {
        existing("freeze").n.normalizeItem("items", { id: 2, other: [{ a: 1 }] });
      }).toThrow(/tables/);
      expect(() => {
        existing("freeze").n.normalizeItem("items", { id: "not a number" });
      }).toThrow(/data types/);
    });

    it("discard_row drops the offending row (a child row only drops itself)", () => {
      const { n, rows } = existing("discard_row");
      n.normalizeItem("items", { id: 2, extra: true });
      n.normalizeItem("items", { id: 3, name: "ok", sub: [{ x: 2 }, { x: 3, y: "new" }] });
      expect(rows.items!.map((r) => r.id)).toEqual([3]);
      expect(rows.items__sub!.map((r) => r.x)).toEqual([2]);
    });

    it("discard_value drops only the offending value", () => {
      const { n, rows, schema } = existing("discard_value");
      n.normalizeItem("items", { id: 2, extra: true, name: "kept" });
      n.normalizeItem("items", { id: "x", name: "no variant" });
      expect(rows.items).toEqual([
        expect.objectContaining({ id: 2, name: "kept" }),
        expect.objectContaining({ name: "no variant" }),
      ]);
      expect(cols(schema, "items")).not.toHaveProperty("extra");
      expect(cols(schema, "items")).not.toHaveProperty("id__v_text");
    });
  });
});
