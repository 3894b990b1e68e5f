import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { ConfigError } from "../util/errors.js";

/** A place config values come from. `lookup` takes the full key path (sections + key). */
export interface ConfigProvider {
  readonly name: string;
  lookup(path: readonly string[]): unknown;
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
}

export class TomlProvider implements ConfigProvider {
  private readonly data: Record<string, unknown>;

  constructor(
    readonly name: string,
    readonly file: string,
  ) {
    if (!existsSync(file)) {
      this.data = {};
      return;
    }
    try {
      this.data = parseToml(readFileSync(file, "utf8"));
    } catch (err) {
      const detail = err instanceof Error ? err.message.split("\n")[0] : String(err);
      throw new ConfigError(`${file} is not valid TOML: ${detail}`, {
        hint: "fix the line it names; string values need quotes, sections look like [sources.sage_accounting_source]",
      });
    }
  }

  lookup(path: readonly string[]): unknown {
    let node: unknown = this.data;
    for (const part of path) {
      if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
      node = (node as Record<string, unknown>)[part];
      if (node === undefined) return undefined;
    }
    return node;
  }
}

/** The data dir: `$SAGE_PIPELINE_DATA_DIR` or `~/.sage-pipeline`. Global TOML files live there too. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SAGE_PIPELINE_DATA_DIR || join(homedir(), ".sage-pipeline");
}

/** Providers in priority order: env, project secrets, project config, global secrets, global config. */
export function defaultProviders(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): ConfigProvider[] {
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
