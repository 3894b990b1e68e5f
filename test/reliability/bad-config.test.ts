import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONFIG_SPECS } from "../../src/cli/config.js";
import { type AnyField, ConfigResolver, type ConfigSpec, EnvProvider, TomlProvider, keyOf } from "../../src/config/index.js";
import { envName } from "../../src/config/providers.js";
import { RUNTIME_SPEC } from "../../src/http/index.js";
import { ConfigError } from "../../src/util/errors.js";
import { addLogSink } from "../../src/util/logger.js";
import { runCli } from "../e2e/cli-helpers.js";
import { tempDir } from "../helpers/tmp-pipeline.js";

/**
 * Config bad input (issue 8, "Errors say what kind they are"): generated wrong values for every
 * typed key of every section the CLI knows, written into `.dlt/config.toml` at a generated line
 * or set as the key's environment variable. Property: the resolver refuses it with a ConfigError
 * (terminal: the CLI exits 2) whose message names the key and where the value came from
 * (`.dlt/config.toml:<line>` or the variable) and whose hint says what to change. Generated
 * misspellings of real keys get a warning naming the key, its place and the key meant. A few
 * cases go through the built CLI to see exit 2 and the message on stderr.
 */

const LONG = process.env.SAGE_RELIABILITY === "long";
const SEED = 20261202;
const RUNS = LONG ? 500 : 60;
const dir = tempDir("sp-bad-config-");

interface Target {
  spec: ConfigSpec;
  prop: string;
  field: AnyField;
  key: string;
}

/** Keys a wrong value can be given to: typed, not credentials (a table or a string), not hidden. */
const TARGETS: Target[] = CONFIG_SPECS.flatMap((spec) =>
  Object.entries(spec.fields)
    .filter(([, f]) => ["integer", "number", "boolean", "list", "choice"].includes(f.kind) && !f.hidden)
    .map(([prop, field]) => ({ spec, prop, field, key: keyOf(prop, field) })),
);

/** TOML values no field of that kind takes. */
const badToml: Record<string, readonly string[]> = {
  integer: ['"twelve"', "1.5", "true", "[1, 2]", "{ a = 1 }", "nan"],
  number: ['"fast"', "true", "[1]", "{ a = 1 }", "-1e300"],
  boolean: ['"maybe"', "2", "[true]", "{ a = 1 }"],
  list: ["42", "true", "{ a = 1 }", "[[1], [2]]"],
  choice: ['"no-such-choice"', "3", "[1]"],
};
/** Environment strings no field of that kind takes. */
const badEnv: Record<string, readonly string[]> = {
  integer: ["twelve", "1.5", "0x1G", "1e999"],
  number: ["fast", "1.2.3", "--1"],
  boolean: ["maybe", "2", "yes please"],
  choice: ["no-such-choice", "%%%"],
};

/** Values for a spec's required keys, so the error is about the generated one. */
function requiredEnv(spec: ConfigSpec, except: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [prop, f] of Object.entries(spec.fields)) {
    if (prop === except || !(f as { required?: boolean }).required) continue;
    out[envName([...spec.section, keyOf(prop, f)])] = f.kind === "integer" || f.kind === "number" ? "1" : "x";
  }
  return out;
}

/** A wrong value for a typed key, in a TOML file at some line or in its environment variable. */
const badCase = fc
  .constantFrom(...TARGETS)
  .chain((t) =>
    fc.oneof(
      fc.record({
        t: fc.constant(t),
        where: fc.constant("file" as const),
        value: fc.constantFrom(...(badToml[t.field.kind] ?? ['"x"'])),
        /** Blank and comment lines before the section, and unrelated valid-looking keys before the key. */
        before: fc.integer({ min: 0, max: 12 }),
        siblings: fc.integer({ min: 0, max: 3 }),
      }),
      fc.record({
        t: fc.constant(t),
        where: fc.constant("env" as const),
        value: fc.constantFrom(...(badEnv[t.field.kind] ?? badEnv.integer!)),
        before: fc.constant(0),
        siblings: fc.constant(0),
      }),
    ),
  )
  .filter((c) => !(c.where === "env" && c.t.field.kind === "list"));

function configFile(section: readonly string[], key: string, value: string, before: number, siblings: number) {
  const lines: string[] = [];
  for (let i = 0; i < before; i++) lines.push(i % 2 ? "" : `# comment ${i}`);
  lines.push(`[${section.join(".")}]`);
  for (let i = 0; i < siblings; i++) lines.push(`# sibling_${i} = ${i}`);
  lines.push(`${key} = ${value}`);
  return { text: `${lines.join("\n")}\n`, line: lines.length };
}

let n = 0;
describe("config bad input (fast-check)", () => {
  it(`a wrong value of any typed key is refused naming key, place and fix (seed ${SEED}, ${RUNS} runs)`, () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(badCase, (c) => {
        const { spec, prop, key } = c.t;
        const project = join(dir, `p${++n}`);
        mkdirSync(project, { recursive: true });
        let resolver: ConfigResolver;
        let place: string;
        const env = requiredEnv(spec, prop);
        if (c.where === "file") {
          const file = configFile(spec.section, key, c.value, c.before, c.siblings);
          writeFileSync(join(project, "config.toml"), file.text);
          resolver = new ConfigResolver([
            new EnvProvider(env),
            new TomlProvider(".dlt/config.toml", join(project, "config.toml")),
          ]);
          place = `.dlt/config.toml:${file.line}`;
        } else {
          const variable = envName([...spec.section, key]);
          resolver = new ConfigResolver([new EnvProvider({ ...env, [variable]: c.value })]);
          place = variable;
        }
        let err: unknown;
        try {
          resolver.resolve(spec);
        } catch (e) {
          err = e;
        }
        expect(err, `${spec.label} ${key} = ${c.value} (${c.where}) was accepted`).toBeInstanceOf(ConfigError);
        const e = err as ConfigError;
        expect(e.kind).toBe("terminal");
        expect(e.message).toContain(key);
        expect(e.message).toContain(place);
        expect(e.hint, e.message).toBeTruthy();
        seen.add(`${spec.label} ${key}`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(
      `config bad input: ${RUNS} cases over ${seen.size} of ${TARGETS.length} typed keys, every one refused naming key and place`,
    );
  });

  it(`a misspelt key of a known section gets a warning naming it, its line and the key meant (seed ${SEED})`, () => {
    const keys = CONFIG_SPECS.flatMap((spec) => Object.entries(spec.fields).map(([prop, f]) => ({ spec, key: keyOf(prop, f) })));
    const typo = fc
      .record({ k: fc.constantFrom(...keys), at: fc.nat(), how: fc.constantFrom("drop", "double", "swap") })
      .map(({ k, at, how }) => {
        const i = at % k.key.length;
        const t =
          how === "drop"
            ? k.key.slice(0, i) + k.key.slice(i + 1)
            : how === "double"
              ? k.key.slice(0, i) + k.key[i]! + k.key.slice(i)
              : k.key.slice(0, i) + (k.key[i + 1] ?? "") + k.key[i]! + k.key.slice(i + 2);
        return { ...k, typo: t };
      })
      .filter(
        (c) =>
          c.typo !== c.key &&
          c.typo.length > 2 &&
          !keys.some((k) => k.spec === c.spec && k.key === c.typo) &&
          /^[a-z_]+$/.test(c.typo),
      );
    let cases = 0;
    fc.assert(
      fc.property(typo, (c) => {
        const project = join(dir, `t${++n}`);
        mkdirSync(project, { recursive: true });
        const file = configFile(c.spec.section, c.typo, "1", 0, 0);
        writeFileSync(join(project, "config.toml"), file.text);
        const warnings: string[] = [];
        const off = addLogSink((r) => {
          if (r.level === "warn") warnings.push(r.message);
        });
        try {
          new ConfigResolver([new TomlProvider(".dlt/config.toml", join(project, "config.toml"))]).checkUnknownKeys(c.spec);
        } finally {
          off();
        }
        expect(warnings, `${c.spec.label} ${c.typo}`).toHaveLength(1);
        expect(warnings[0]).toContain(`has no key ${c.typo}`);
        expect(warnings[0]).toContain(`.dlt/config.toml:${file.line}`);
        expect(warnings[0]).toMatch(/did you mean/i);
        cases++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`config typos: ${cases} misspelt keys, each warned with did-you-mean`);
  });

  it("through the CLI: exit 2, the key, the file:line and the fix on stderr", { timeout: 300_000 }, async () => {
    // Sections `run` resolves before it reaches the network (the source's URLs point at a closed port anyway).
    const early = new Set(["[sources.sage_accounting_source]", "[runtime]", "[pipeline]"]);
    const cases = fc.sample(
      // `[runtime]` also lists the worker's keys (one spec per section); `run` resolves only the HTTP ones.
      badCase.filter(
        (c) =>
          c.where === "file" && early.has(c.t.spec.label) && (c.t.spec.label !== "[runtime]" || c.t.prop in RUNTIME_SPEC.fields),
      ),
      { seed: SEED, numRuns: LONG ? 8 : 3 },
    );
    for (const c of cases) {
      const project = join(dir, `cli${++n}`);
      mkdirSync(join(project, ".dlt"), { recursive: true });
      const file = configFile(c.t.spec.section, c.t.key, c.value, c.before, c.siblings);
      writeFileSync(join(project, ".dlt", "config.toml"), file.text);
      const r = await runCli(["run", "--no-progress"], project, {
        SAGE_PIPELINE_DATA_DIR: join(project, "data"),
        SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN: "not-used",
        SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: "http://127.0.0.1:1/v3.1",
        SOURCES__SAGE_ACCOUNTING_SOURCE__TOKEN_URL: "http://127.0.0.1:1/oauth/token",
      });
      expect(r.status, `${c.t.spec.label} ${c.t.key} = ${c.value}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(c.t.key);
      expect(r.stderr).toContain(`.dlt/config.toml:${file.line}`);
      expect(r.stderr).toContain("hint:");
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
