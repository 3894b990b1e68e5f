import { ConfigError } from "../util/errors.js";
import { logger } from "../util/logger.js";
import { describeOrigin, type Origin } from "./origin.js";
import { type ConfigProvider, defaultProviders, envName, type PresentKey } from "./providers.js";
import { resolveSpec } from "./resolve-spec.js";
import { Secret } from "./secret.js";
import type { ConfigSpec, Fields, ResolvedConfig, SpecInput } from "./spec.js";
import { knownSections, unknownKeyWarnings } from "./unknown-keys.js";

export interface Found {
  value: unknown;
  /** Where the value came from, for messages: `environment variable X` or `.dlt/config.toml:12`. */
  where: string;
  origin: Origin;
  /** The full key path it was found at (may be shorter than asked: dlt's fallback). */
  path: readonly string[];
  /** Where a key inside this value (a table) is written: its own line, its own variable. */
  readonly originOf: (subPath: readonly string[]) => Origin;
}

/**
 * How far a key is looked up. `fallback` is dlt's (drop the rightmost section until only the
 * bare key is left); `section` stops before the bare key (for names such as USERNAME that other
 * tools set); `exact` reads only the section itself.
 */
export type Lookup = "fallback" | "section" | "exact";

const log = logger("config");

function originOf(provider: ConfigProvider, path: readonly string[]): Origin {
  return provider.origin?.(path) ?? { kind: "provider", provider: provider.name, path: [...path] };
}

/**
 * dlt's lookup: for each provider in priority order, try the most specific path first
 * (`[pipeline_name.]sources.sage_accounting_source.access_token`) and then drop the rightmost
 * section until only the bare key is left. The first hit wins.
 *
 * Components declare their keys as a ConfigSpec and call `resolve(spec, explicit)`; the
 * string-keyed getters below are for code that has no spec yet.
 */
export class ConfigResolver {
  /** Messages already warned, shared by every resolver derived from this one. */
  private readonly warned: Set<string>;

  constructor(
    private readonly providers: readonly ConfigProvider[],
    readonly pipelineName?: string,
    warned?: Set<string>,
  ) {
    this.warned = warned ?? new Set();
  }

  /** Env + `<cwd>/.dlt/{secrets,config}.toml` + the data dir's: what the CLI and `pipeline()` use. */
  static fromCwd(cwd: string = process.cwd(), env?: NodeJS.ProcessEnv, pipelineName?: string): ConfigResolver {
    return new ConfigResolver(defaultProviders(cwd, env), pipelineName);
  }

  /** No config at all: only values passed in code and the defaults. */
  static empty(): ConfigResolver {
    return new ConfigResolver([]);
  }

  withPipeline(pipelineName: string): ConfigResolver {
    return new ConfigResolver(this.providers, pipelineName, this.warned);
  }

  /** A spec's values: explicit (code) > env > project secrets > project config > global; then defaults. */
  resolve<F extends Fields>(spec: ConfigSpec<F>, explicit?: SpecInput<F>): ResolvedConfig<F> {
    this.checkUnknownKeys(spec);
    return resolveSpec(spec, this, explicit);
  }

  /** Warn once per key about keys of `spec`'s section that the spec does not declare. */
  checkUnknownKeys(spec: ConfigSpec): void {
    if (spec.unknownKeys === "ignore") return;
    for (const known of knownSections(spec)) {
      const sections = this.pipelineName ? [known.section, [this.pipelineName, ...known.section]] : [known.section];
      const present: PresentKey[] = [];
      for (const section of sections) for (const p of this.providers) present.push(...(p.keysAt?.(section) ?? []));
      for (const message of unknownKeyWarnings(known, present)) this.warn(message);
    }
  }

  /** Log a warning once for this resolver family (a pipeline resolves its specs more than once). */
  warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    log.warn(message);
  }

  private candidatePaths(sections: readonly string[], key: string, lookup: Lookup): string[][] {
    const paths: string[][] = [];
    const prefixes = this.pipelineName ? [[this.pipelineName], []] : [[]];
    const shortest = lookup === "exact" ? sections.length : lookup === "section" ? Math.min(1, sections.length) : 0;
    for (const prefix of prefixes) {
      for (let n = sections.length; n >= shortest; n--) paths.push([...prefix, ...sections.slice(0, n), key]);
    }
    return paths;
  }

  find(sections: readonly string[], key: string, lookup: Lookup = "fallback"): Found | undefined {
    const paths = this.candidatePaths(sections, key, lookup);
    for (const provider of this.providers) {
      for (const path of paths) {
        const found = this.at(provider, path);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Like `find` but only for the exact section path (no pipeline prefix, no fallback). */
  findExact(sections: readonly string[], key: string): Found | undefined {
    const path = [...sections, key];
    for (const provider of this.providers) {
      const found = this.at(provider, path);
      if (found) return found;
    }
    return undefined;
  }

  private at(provider: ConfigProvider, path: readonly string[]): Found | undefined {
    const value = provider.lookup(path);
    if (value === undefined || value === "") return undefined;
    const origin = originOf(provider, path);
    return { value, where: describeOrigin(origin), origin, path, originOf: (sub) => originOf(provider, [...path, ...sub]) };
  }

  string(sections: readonly string[], key: string): string | undefined {
    const f = this.find(sections, key);
    if (!f) return undefined;
    if (typeof f.value === "string") return f.value;
    if (typeof f.value === "number" || typeof f.value === "boolean") return String(f.value);
    throw typeError(f, "a string");
  }

  secret(sections: readonly string[], key: string): Secret | undefined {
    const s = this.string(sections, key);
    return s === undefined ? undefined : new Secret(s);
  }

  number(sections: readonly string[], key: string): number | undefined {
    const f = this.find(sections, key);
    if (!f) return undefined;
    const n = typeof f.value === "number" ? f.value : typeof f.value === "string" ? Number(f.value.trim()) : NaN;
    if (!Number.isFinite(n)) throw typeError(f, "a number");
    return n;
  }

  boolean(sections: readonly string[], key: string): boolean | undefined {
    const f = this.find(sections, key);
    if (!f) return undefined;
    const b = parseBoolean(f.value);
    if (b === undefined) throw typeError(f, "true or false");
    return b;
  }

  /** A list from TOML, or from an env var written `a,b,c` or `["a", "b"]`. */
  list(sections: readonly string[], key: string): string[] | undefined {
    const f = this.find(sections, key);
    if (!f) return undefined;
    return parseList(f.value, () => typeError(f, "a list of strings"));
  }

  /** A whole section as an object (e.g. `[destination.postgres.credentials]`), or a scalar. */
  raw(sections: readonly string[], key: string): Found | undefined {
    return this.find(sections, key);
  }
}

export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (["true", "1", "yes", "on"].includes(v)) return true;
    if (["false", "0", "no", "off"].includes(v)) return false;
  }
  return undefined;
}

/** A list's items as text: only strings and numbers are items; a nested list or table is refused. */
function listItems(values: unknown[], fail: () => Error): string[] {
  return values.map((v) => {
    if (typeof v === "string" || typeof v === "number" || typeof v === "bigint") return String(v);
    throw fail();
  });
}

export function parseList(value: unknown, fail: () => Error): string[] {
  if (Array.isArray(value)) return listItems(value, fail);
  if (typeof value === "string") {
    const s = value.trim();
    if (s.startsWith("[")) {
      try {
        const parsed = JSON.parse(s.replace(/'/g, '"')) as unknown;
        if (Array.isArray(parsed)) return listItems(parsed, fail);
      } catch {
        throw fail();
      }
    }
    return s
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p.length > 0);
  }
  throw fail();
}

function typeError(f: Found, expected: string): ConfigError {
  const shown = typeof f.value === "string" ? JSON.stringify(f.value) : typeof f.value;
  const where = f.origin.kind === "env" ? `set ${f.origin.variable}` : `change it in ${f.where}`;
  return new ConfigError(`${f.where}: ${f.path.join(".")} must be ${expected}, got ${shown}`, { hint: where });
}

export { envName };
