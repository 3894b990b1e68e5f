import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigResolver, EnvProvider, Secret, TomlProvider } from "../../src/config/index.js";
import { ConfigError } from "../../src/util/errors.js";
import { tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir();

describe("config resolution (dlt's lookup)", () => {
  mkdirSync(join(dir, ".dlt"), { recursive: true });
  writeFileSync(
    join(dir, ".dlt", "config.toml"),
    `
[runtime]
request_timeout = 30

[sources.sage_accounting_source]
items_per_page = 100
resources = ["contacts", "sales_invoices"]

[sources]
hard_delete = true
`,
  );
  writeFileSync(join(dir, ".dlt", "secrets.toml"), `[sources.sage_accounting_source]\naccess_token = "toml-token"\n`);

  const make = (env: Record<string, string>) =>
    new ConfigResolver([
      new EnvProvider(env),
      new TomlProvider(".dlt/secrets.toml", join(dir, ".dlt", "secrets.toml")),
      new TomlProvider(".dlt/config.toml", join(dir, ".dlt", "config.toml")),
    ]);

  it("takes the most specific path first and falls back section by section", () => {
    const c = make({});
    const s = ["sources", "sage_accounting_source"];
    expect(c.number(s, "items_per_page")).toBe(100);
    expect(c.boolean(s, "hard_delete")).toBe(true);
    expect(c.list(s, "resources")).toEqual(["contacts", "sales_invoices"]);
    expect(c.number(["runtime"], "request_timeout")).toBe(30);
    expect(c.string(s, "access_token")).toBe("toml-token");
  });

  it("lets environment variables win, with dlt's names and list syntax", () => {
    const c = make({
      SOURCES__SAGE_ACCOUNTING_SOURCE__ITEMS_PER_PAGE: "50",
      SOURCES__SAGE_ACCOUNTING_SOURCE__RESOURCES: "contacts, tax_rates",
      RUNTIME__REQUEST_TIMEOUT: "5",
    });
    const s = ["sources", "sage_accounting_source"];
    expect(c.number(s, "items_per_page")).toBe(50);
    expect(c.list(s, "resources")).toEqual(["contacts", "tax_rates"]);
    expect(c.number(["runtime"], "request_timeout")).toBe(5);
  });

  it("names the place and the fix for a bad value", () => {
    const c = make({ RUNTIME__REQUEST_TIMEOUT: "soon" });
    expect(() => c.number(["runtime"], "request_timeout")).toThrow(ConfigError);
    expect(() => c.number(["runtime"], "request_timeout")).toThrow(
      /environment variable RUNTIME__REQUEST_TIMEOUT.*must be a number.*"soon"/,
    );
  });

  it("reports broken TOML with the file name", () => {
    writeFileSync(join(dir, "bad.toml"), "[sources\nx = 1\n");
    expect(() => new TomlProvider("bad.toml", join(dir, "bad.toml"))).toThrow(/bad\.toml is not valid TOML/);
  });

  it("a Secret never prints its value", () => {
    const s = new Secret("super-secret-value");
    expect(String(s)).toBe("***");
    expect(JSON.stringify({ s })).toBe('{"s":"***"}');
    expect(inspect(s)).toBe("Secret(***)");
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- the point: a Secret in a template prints ***
    expect(`${s}`).toBe("***");
    expect(s.reveal()).toBe("super-secret-value");
  });
});
