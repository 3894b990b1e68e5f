#!/usr/bin/env node
/**
 * Rewrites the README's configuration tables (between the config-tables markers) from the
 * config specs, the same text `test/config/drift.test.ts` expects.
 *
 *   npm run docs:config            (builds dist/ first)
 *   node scripts/config-docs.mjs --check   exits 1 when the README differs
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { renderConfigTables, replaceConfigTables } = await import(resolve(ROOT, "dist/config/index.js"));
const { CONFIG_SPECS } = await import(resolve(ROOT, "dist/cli/config.js"));

const file = resolve(ROOT, "README.md");
const before = readFileSync(file, "utf8");
const after = replaceConfigTables(before, renderConfigTables(CONFIG_SPECS));
if (process.argv.includes("--check")) {
  if (after !== before) {
    process.stderr.write("README.md's configuration tables differ from the config specs: run npm run docs:config\n");
    process.exit(1);
  }
} else if (after !== before) {
  writeFileSync(file, after);
  process.stdout.write("README.md: configuration tables rewritten from the config specs\n");
} else {
  process.stdout.write("README.md: configuration tables already match the config specs\n");
}
