import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import { ConfigError } from "../util/errors.js";
import { redactTomlExcerpt } from "../util/redact.js";
import type { Origin } from "./origin.js";
import { lineOf, tomlLines, type TomlLines } from "./toml-lines.js";

/** One key present in a provider under some section (what the unknown-key check walks). */
export interface PresentKey {
  readonly key: string;
  /** A sub-table (TOML) or a longer variable name (env): not a value of this section. */
  readonly isTable: boolean;
  readonly origin: Origin;
}

/** A place config values come from. `lookup` takes the full key path (sections + key). */
export interface ConfigProvider {
  readonly name: string;
  lookup(path: readonly string[]): unknown;
  /** Where the value at `path` is written (file and line, variable name). */
  origin?(path: readonly string[]): Origin;
  /** The keys present directly under `section` (for the unknown-key warnings). */
  keysAt?(section: readonly string[]): PresentKey[];
}

/** `SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN` style names, as dlt spells them. */
export function envName(path: readonly string[]): string {
  return path.map((p) => p.toUpperCase()).join("__");
}

export class EnvProvider implements ConfigProvider {
  readonly name = "environment";
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  lookup(path: readonly string[]): unknown {
    const direct = this.env[envName(path)];
    if (direct !== undefined) return direct;
    // A group (e.g. credentials given field by field): collect VAR__FIELD entries.
    const prefix = `${envName(path)}__`;
    let group: Record<string, string> | undefined;
    for (const [k, v] of Object.entries(this.env)) {
      if (v !== undefined && k.startsWith(prefix) && !k.slice(prefix.length).includes("__")) {
        (group ??= {})[k.slice(prefix.length).toLowerCase()] = v;
      }
    }
    return group;
  }

  origin(path: readonly string[]): Origin {
    return { kind: "env", variable: envName(path) };
  }

  keysAt(section: readonly string[]): PresentKey[] {
    const prefix = `${envName(section)}__`;
    const out: PresentKey[] = [];
    for (const [k, v] of Object.entries(this.env)) {
      if (v === undefined || !k.startsWith(prefix) || k.length === prefix.length) continue;
      const rest = k.slice(prefix.length);
      const first = rest.split("__")[0]!;
      out.push({ key: first.toLowerCase(), isTable: rest.includes("__"), origin: { kind: "env", variable: k } });
    }
    return out;
  }
}

const isTable = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);

/**
 * A TOML file (missing = empty). Syntax errors name the file, line and column (smol-toml's);
 * values remember their line, so errors and warnings can say `.dlt/config.toml:12`.
 */
export class TomlProvider implements ConfigProvider {
  private readonly data: Record<string, unknown>;
  private readonly lines: TomlLines;

  constructor(
    /** The file as messages show it (`.dlt/config.toml`). */
    readonly name: string,
    readonly file: string,
  ) {
    if (!existsSync(file)) {
      this.data = {};
      this.lines = new Map();
      return;
    }
    const text = readFileSync(file, "utf8");
    this.data = parseTomlFile(text, name);
    this.lines = tomlLines(text);
  }

  lookup(path: readonly string[]): unknown {
    let node: unknown = this.data;
    for (const part of path) {
      if (!isTable(node)) return undefined;
      node = node[part];
      if (node === undefined) return undefined;
    }
    return node;
  }

  origin(path: readonly string[]): Origin {
    return { kind: "file", file: this.name, line: lineOf(this.lines, path), path: [...path] };
  }

  keysAt(section: readonly string[]): PresentKey[] {
    const node = this.lookup(section);
    if (!isTable(node)) return [];
    return Object.entries(node).map(([key, v]) => ({
      key,
      isTable: isTable(v),
      origin: this.origin([...section, key]),
    }));
  }
}

/** Parse TOML text; a syntax error becomes a ConfigError with `file`, line, column and the excerpt. */
export function parseTomlFile(text: string, file: string): Record<string, unknown> {
  try {
    return parseToml(text);
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message.split("\n")[0]!.replace(/^Invalid TOML document:\s*/, "");
      throw new ConfigError(`${file} is not valid TOML at line ${err.line}, column ${err.column}: ${reason}`, {
        // The excerpt with secret values masked: an unparsable file's secrets are not registered yet.
        hint: `fix ${file}:${err.line}:${err.column} (string values need quotes, sections look like [sources.sage_accounting_source]):\n${redactTomlExcerpt(err.codeblock.replace(/\n+$/, ""), /secrets/i.test(file))}`,
      });
    }
    throw new ConfigError(`${file} is not valid TOML: ${err instanceof Error ? err.message : String(err)}`, {
      hint: "string values need quotes, sections look like [sources.sage_accounting_source]",
    });
  }
}

/** The data dir: `$SAGE_PIPELINE_DATA_DIR` or `~/.sage-pipeline`. Global TOML files live there too. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SAGE_PIPELINE_DATA_DIR || join(homedir(), ".sage-pipeline");
}

/**
 * Providers in priority order: env, project secrets, project config, global secrets, global
 * config. Only the CLI and `pipeline()` call this; everything below them is handed a resolver.
 */
export function defaultProviders(cwd: string, env: NodeJS.ProcessEnv = process.env): ConfigProvider[] {
  const project = join(cwd, ".dlt");
  const global = dataDir(env);
  return [
    new EnvProvider(env),
    new TomlProvider(".dlt/secrets.toml", join(project, "secrets.toml")),
    new TomlProvider(".dlt/config.toml", join(project, "config.toml")),
    new TomlProvider(`${global}/secrets.toml`, join(global, "secrets.toml")),
    new TomlProvider(`${global}/config.toml`, join(global, "config.toml")),
  ];
}
