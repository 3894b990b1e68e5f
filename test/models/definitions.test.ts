import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataTests, loadModels } from "../../src/models/index.js";
import { tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir("sp-model-defs-");

function write(root: string, file: string, text: string): void {
  mkdirSync(join(root, file, ".."), { recursive: true });
  writeFileSync(join(root, file), text);
}

const model = (name: string, deps = "", body = "SELECT 1 AS x") =>
  `-- model: ${name}\n-- description: ${name}\n${deps ? `-- depends_on: ${deps}\n` : ""}-- columns:\n--   x: a column\n${body}\n`;

describe("model definitions", () => {
  it("ship every model in build order, with columns and descriptions", () => {
    const models = loadModels("duckdb");
    const names = models.map((m) => m.name);
    for (const m of models) {
      expect(m.description, m.name).not.toBe("");
      expect(m.columns.length, m.name).toBeGreaterThan(0);
      for (const dep of m.dependsOn) expect(names.indexOf(dep), `${m.name} after ${dep}`).toBeLessThan(names.indexOf(m.name));
    }
    expect(names).toEqual(
      expect.arrayContaining([
        "sage__general_ledger",
        "sage__trial_balance",
        "sage__profit_and_loss_by_month",
        "sage__balance_sheet_by_month",
        "sage__ar_aging",
        "sage__ap_aging",
        "sage__invoice_line_items",
      ]),
    );
    expect(models.find((m) => m.name === "sage__general_ledger")).toMatchObject({ materialization: "incremental" });
    expect(loadDataTests("postgres")).toHaveLength(5);
  });

  it("take a dialect's own file over the common one", () => {
    const root = join(dir, "override");
    write(root, "common/a.sql", model("a"));
    write(root, "common/b.sql", model("b", "a"));
    write(root, "postgres/a.sql", model("a", "", "SELECT 2 AS x"));
    expect(loadModels("duckdb", root).map((m) => [m.name, m.select])).toEqual([
      ["a", "SELECT 1 AS x"],
      ["b", "SELECT 1 AS x"],
    ]);
    expect(loadModels("postgres", root)[0]!.select).toBe("SELECT 2 AS x");
  });

  it("say which file is wrong: unknown dependency, cycle, misnamed file, no columns", () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ["unknown", { "common/a.sql": model("a", "nope") }, /a\.sql: depends on nope, which is not a model/],
      ["cycle", { "common/a.sql": model("a", "b"), "common/b.sql": model("b", "a") }, /dependency cycle: a -> b -> a/],
      ["misnamed", { "common/a.sql": model("z") }, /names model z; the file must be called z\.sql/],
      ["columns", { "common/a.sql": "-- model: a\nSELECT 1\n" }, /no `-- columns:` list/],
      [
        "incremental",
        { "common/a.sql": model("a").replace("-- columns:", "-- materialization: incremental\n-- columns:") },
        /@incremental/,
      ],
    ];
    for (const [name, files, message] of cases) {
      const root = join(dir, name);
      for (const [f, text] of Object.entries(files)) write(root, f, text);
      expect(() => loadModels(undefined, root), name).toThrow(message);
    }
  });
});
