import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { lineOf, tomlLines } from "../../src/config/toml-lines.js";

const DOC = `# a comment [not.a.table]
title = "x # not a comment"

[sources.sage_accounting_source]
items_per_page = 50   # trailing comment
resources = [
  "contacts",   # one per line
  "sales_invoices",
]
notes = """
fake = 1
[fake.table]
"""
literal = '''
also = "fake"
'''
"quoted.key" = 1
dotted.inner.leaf = true
when = 2024-01-01 10:00:00Z
inline = { host = "h", port = 5432 }

  [ destination . "postgres" . credentials ]
password = "p"

[[runs]]
name = "a"
[[runs]]
name = "b"
`;

describe("TOML key lines", () => {
  const lines = tomlLines(DOC);
  const at = (...path: string[]) => lineOf(lines, path);

  it("is valid TOML to begin with (the scanner only runs on parsed documents)", () => {
    expect(() => parse(DOC)).not.toThrow();
  });

  it("finds table headers, keys, dotted and quoted keys, and keys after multi-line values", () => {
    expect(at("title")).toBe(2);
    expect(at("sources")).toBe(4);
    expect(at("sources", "sage_accounting_source")).toBe(4);
    expect(at("sources", "sage_accounting_source", "items_per_page")).toBe(5);
    expect(at("sources", "sage_accounting_source", "resources")).toBe(6);
    expect(at("sources", "sage_accounting_source", "notes")).toBe(10);
    expect(at("sources", "sage_accounting_source", "literal")).toBe(14);
    expect(at("sources", "sage_accounting_source", "quoted.key")).toBe(17);
    expect(at("sources", "sage_accounting_source", "dotted")).toBe(18);
    expect(at("sources", "sage_accounting_source", "dotted", "inner", "leaf")).toBe(18);
    expect(at("sources", "sage_accounting_source", "when")).toBe(19);
    expect(at("sources", "sage_accounting_source", "inline", "port")).toBe(20);
    expect(at("destination", "postgres", "credentials")).toBe(22);
    expect(at("destination", "postgres", "credentials", "password")).toBe(23);
    expect(at("runs", "name")).toBe(26);
  });

  it("does not take keys inside strings for keys", () => {
    expect(lines.has(["fake"].join("\u0000"))).toBe(false);
    expect(lines.has(["sources", "sage_accounting_source", "fake"].join("\u0000"))).toBe(false);
    expect(lines.has(["sources", "sage_accounting_source", "also"].join("\u0000"))).toBe(false);
  });

  it("falls back to the longest known prefix", () => {
    expect(at("sources", "sage_accounting_source", "inline", "nowhere")).toBe(20);
    expect(at("nowhere")).toBeUndefined();
  });
});
