// Lint: typescript-eslint's strict type-checked rules, with the few exceptions this code base
// needs stated (and why) rather than silenced line by line.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    ignores: [
      "dist/",
      "build/",
      "node_modules/",
      "coverage/",
      "scripts/",
      "**/*.generated.ts",
      ".venv/",
      ".venv-test/",
      ".venv-fakesnow/",
      "test-output/",
      "tmp/",
      "scratch/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.js", "*.ts"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Template literals with numbers and booleans read well in messages.
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      // `void promise` marks a deliberate fire-and-forget.
      "@typescript-eslint/no-floating-promises": ["error", { ignoreVoid: true }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      // With noUncheckedIndexedAccess, `map.get(k)!` right after `map.has(k)` (or an index the
      // loop bounds) is the honest assertion; the rule would force a dead branch instead.
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    // Plain-JS child processes the tests spawn: not part of the TypeScript project; Node's globals.
    files: ["test/fixtures/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { process: "readonly", setTimeout: "readonly", console: "readonly", URL: "readonly" },
    },
  },
  {
    // The dashboard's browser modules (web/dashboard/, served as they are): plain ES modules in
    // the browser, not part of the TypeScript project; the browser's globals, Chart.js's global.
    files: ["web/**/*.js"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: "module",
      parserOptions: { projectService: false },
      globals: Object.fromEntries(
        [
          "window",
          "document",
          "location",
          "history",
          "localStorage",
          "fetch",
          "URL",
          "URLSearchParams",
          "Blob",
          "Node",
          "CSS",
          "Chart",
        ].map((g) => [g, "readonly"]),
      ),
    },
  },
  {
    files: ["test/**"],
    rules: {
      // vitest's asymmetric matchers (expect.any, expect.stringContaining, ...) are typed `any`.
      "@typescript-eslint/no-unsafe-assignment": "off",
      // `fetchJson<T>(url)`-style helpers name the answer's type at the call site.
      "@typescript-eslint/no-unnecessary-type-parameters": "off",
    },
  },
);
