import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { CONFIG_SPECS } from "../../src/cli/config.js";
import {
  CONFIG_TABLES_END,
  CONFIG_TABLES_START,
  ConfigResolver,
  TomlProvider,
  keyOf,
  renderConfigTables,
  renderTomlTemplate,
  replaceConfigTables,
} from "../../src/config/index.js";
import { destinationNames, destinationSpecs } from "../../src/destinations/registry.js";
import { DEFAULT_MAX_CONCURRENCY } from "../../src/http/index.js";
import { catalog } from "../../src/sage/index.js";
import { ITEMS_PER_PAGE_MAX, SAGE_SPEC } from "../../src/sage/options.js";
import { addLogSink } from "../../src/util/logger.js";
import { tempDir } from "../helpers/tmp-pipeline.js";

const README = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");

/** Turn every commented-out `# key = value   # doc` line into `key = value` (credentials stay commented). */
function uncomment(template: string): string {
  return template
    .split("\n")
    .map((line) => {
      const m = /^# ([a-z][a-z0-9_]*) = (.*?)(?: {3}# .*)?$/.exec(line);
      if (!m || m[2] === '"<connection string>"' || m[2] === "{ ... }") return line;
      return `${m[1]} = ${m[2]}`;
    })
    .join("\n");
}

describe("README, init and the config specs agree", () => {
  it("the README's configuration tables are the ones the specs generate (fix: npm run docs:config)", () => {
    expect(README).toContain(CONFIG_TABLES_START);
    expect(README).toContain(CONFIG_TABLES_END);
    expect(replaceConfigTables(README, renderConfigTables(CONFIG_SPECS))).toBe(README);
  });

  it("every key of every spec is in the README, and init's templates hold every key they show", () => {
    const config = renderTomlTemplate(CONFIG_SPECS, "config");
    const secrets = renderTomlTemplate(CONFIG_SPECS, "secrets");
    for (const spec of CONFIG_SPECS) {
      for (const [prop, f] of Object.entries(spec.fields)) {
        const key = keyOf(prop, f);
        expect(README, `${spec.label} ${key} in README`).toContain(`| \`${key}\` |`);
        const lines = `${config}\n${secrets}`.split("\n").filter((l) => l.startsWith(`# ${key} = `));
        if (f.hidden) continue;
        expect(lines.length, `${spec.label} ${key} in init's templates`).toBeGreaterThan(0);
      }
    }
  });

  it("init's templates parse, and with every key uncommented they resolve without an error or a warning", () => {
    const dir = tempDir();
    const files = {
      config: join(dir, "config.toml"),
      secrets: join(dir, "secrets.toml"),
    };
    const config = renderTomlTemplate(CONFIG_SPECS, "config");
    const secrets = renderTomlTemplate(CONFIG_SPECS, "secrets");
    expect(() => parse(config)).not.toThrow();
    expect(() => parse(secrets)).not.toThrow();
    writeFileSync(files.config, uncomment(config));
    writeFileSync(files.secrets, uncomment(secrets));
    const resolver = new ConfigResolver([
      new TomlProvider(".dlt/secrets.toml", files.secrets),
      new TomlProvider(".dlt/config.toml", files.config),
    ]);
    const warnings: string[] = [];
    const remove = addLogSink((r) => {
      if (r.level === "warn") warnings.push(r.message);
    });
    try {
      for (const spec of CONFIG_SPECS) {
        const resolved = resolver.resolve(spec);
        // Every shown key is now set, at its line in the file it belongs to.
        for (const [prop, f] of Object.entries(spec.fields)) {
          // Credentials stay commented (uncomment() keeps their placeholder): nothing to resolve.
          if (f.hidden || f.kind === "credentials") continue;
          expect(resolved.where(prop), `${spec.label} ${keyOf(prop, f)}`).toMatch(/^\.dlt\/(config|secrets)\.toml:\d+$/);
        }
      }
    } finally {
      remove();
    }
    expect(warnings).toEqual([]);
  });

  it("one default per fact: concurrency from the limiter, the page-size ceiling from the catalog", () => {
    expect(SAGE_SPEC.fields.maxConcurrency.default).toBe(DEFAULT_MAX_CONCURRENCY);
    const ceilings = catalog.flatMap((e) => (e.paging ? [e.paging.itemsPerPageMax] : []));
    expect(ITEMS_PER_PAGE_MAX).toBe(Math.min(...ceilings));
    expect(SAGE_SPEC.fields.itemsPerPage).toMatchObject({ default: ITEMS_PER_PAGE_MAX, max: ITEMS_PER_PAGE_MAX });
    expect(() => ConfigResolver.empty().resolve(SAGE_SPEC, { itemsPerPage: ITEMS_PER_PAGE_MAX + 1 })).toThrow(
      `must be an integer from 1 to ${ITEMS_PER_PAGE_MAX}`,
    );
  });

  it("every registered destination's spec is in CONFIG_SPECS (from its registry line), so init and the README list it", () => {
    const specs = destinationSpecs();
    expect(specs.map((s) => s.label)).toEqual(destinationNames().map((n) => `[destination.${n}]`));
    for (const spec of specs) expect(CONFIG_SPECS).toContain(spec);
    const config = renderTomlTemplate(CONFIG_SPECS, "config");
    const secrets = renderTomlTemplate(CONFIG_SPECS, "secrets");
    for (const name of destinationNames()) {
      expect(README, `[destination.${name}] in README`).toContain(`[destination.${name}]`);
      expect(`${config}\n${secrets}`, `[destination.${name}] in init's templates`).toContain(`[destination.${name}`);
    }
  });

  it("every spec's section is declared once", () => {
    const labels = CONFIG_SPECS.map((s) => s.label);
    expect(new Set(labels).size).toBe(labels.length);
  });
});
