import { describe, expect, it } from "vitest";
import { type StoredSchema, diffSchemas } from "../../src/schema/index.js";
import type { Column } from "../../src/schema/types.js";

const col = (name: string, dataType: Column["dataType"], extra: Partial<Column> = {}): Column => ({
  name,
  dataType,
  nullable: true,
  ...extra,
});
const schema = (version: number, tables: StoredSchema["tables"]): StoredSchema => ({
  name: "shop",
  version,
  versionHash: `h${version}`,
  engineVersion: 1,
  tables,
});

describe("diffSchemas", () => {
  const v1 = schema(1, [
    {
      name: "orders",
      writeDisposition: "merge",
      columns: {
        id: col("id", "bigint", { nullable: false, primaryKey: true }),
        n: col("n", "bigint"),
        note: col("note", "text"),
      },
    },
    { name: "legacy", writeDisposition: "append", columns: { x: col("x", "text") } },
  ]);
  const v2 = schema(2, [
    {
      name: "orders",
      writeDisposition: "merge",
      columns: {
        id: col("id", "bigint", { nullable: false, primaryKey: true }),
        n: col("n", "decimal", { precision: 38, scale: 9 }),
        note: col("note", "text", { nullable: false }),
        total: col("total", "decimal", { precision: 38, scale: 9 }),
      },
    },
    {
      name: "orders__lines",
      parent: "orders",
      writeDisposition: "merge",
      columns: { sku: col("sku", "text"), qty: col("qty", "bigint") },
    },
  ]);

  it("names tables and columns added and removed, and types, nullability and keys changed", () => {
    const d = diffSchemas(v1, v2);
    expect(d.from).toEqual({ version: 1, versionHash: "h1" });
    expect(d.to).toEqual({ version: 2, versionHash: "h2" });
    expect(d.tablesAdded).toEqual([{ table: "orders__lines", parent: "orders", columns: 2 }]);
    expect(d.tablesRemoved).toEqual([{ table: "legacy", parent: null, columns: 1 }]);
    // A new table's columns are its own, not "added columns".
    expect(d.columnsAdded).toEqual([{ table: "orders", column: "total", type: "decimal(38,9)" }]);
    expect(d.columnsRemoved).toEqual([]);
    expect(d.typeChanged).toEqual([{ table: "orders", column: "n", from: "bigint", to: "decimal(38,9)" }]);
    expect(d.nullableChanged).toEqual([{ table: "orders", column: "note", from: true, to: false }]);
    expect(d.keysChanged).toEqual([]);
  });

  it("read backwards, an addition is a removal", () => {
    const d = diffSchemas(v2, v1);
    expect(d.tablesAdded.map((t) => t.table)).toEqual(["legacy"]);
    expect(d.tablesRemoved.map((t) => t.table)).toEqual(["orders__lines"]);
    expect(d.columnsRemoved).toEqual([{ table: "orders", column: "total", type: "decimal(38,9)" }]);
  });

  it("finds nothing between a version and itself", () => {
    const d = diffSchemas(v2, v2);
    const all = [
      d.tablesAdded,
      d.tablesRemoved,
      d.columnsAdded,
      d.columnsRemoved,
      d.typeChanged,
      d.nullableChanged,
      d.keysChanged,
    ];
    expect(all.flat()).toEqual([]);
  });
});
