import { existsSync, readFileSync } from "node:fs";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { describeOrigin } from "../config/origin.js";
import type { ConfigResolver } from "../config/resolver.js";
import type { ConfigSpec } from "../config/spec.js";
import { errorMessage } from "../util/errors.js";
import { configFiles, declaredKeys, isSecretPath, secretKeyNames } from "./config-files.js";
import { tokenStorePaths } from "./known-secrets.js";

const MASK = "***";

function mask(node: unknown, path: string[], all: boolean, secretKeys: ReadonlySet<string>): unknown {
  if (Array.isArray(node)) return node.map((v, i) => mask(v, [...path, String(i)], all, secretKeys));
  if (node !== null && typeof node === "object" && !(node instanceof Date)) {
    return Object.fromEntries(
      Object.entries(node as Record<string, unknown>).map(([k, v]) => [k, mask(v, [...path, k], all, secretKeys)]),
    );
  }
  return all || isSecretPath(path, secretKeys) ? MASK : node;
}

export interface RedactedView {
  files: Array<{ file: string; exists: boolean; redacted?: string; error?: string }>;
  keys: Array<{ key: string; secret: boolean; set: boolean; where: string | null }>;
  environment: Array<{ variable: string; value: string }>;
  token_store: Array<{ path: string; exists: boolean }>;
  note: string;
}

/**
 * `secrets_view_redacted`: the config and secrets files this folder's runs read, with every
 * value of a secrets file and every secret key elsewhere replaced by `***`; every declared key,
 * whether it is set and where; the config variables of the environment (secret ones masked);
 * where the token store is (never its content).
 */
export function secretsViewRedacted(
  cwd: string,
  specs: readonly ConfigSpec[],
  config: ConfigResolver,
  env: NodeJS.ProcessEnv = process.env,
): RedactedView {
  const secretKeys = secretKeyNames(specs);
  const files = configFiles(cwd, env).map((f) => {
    if (!existsSync(f.path)) return { file: f.label, exists: false };
    try {
      const data = parseToml(readFileSync(f.path, "utf8"));
      return { file: f.label, exists: true, redacted: stringifyToml(mask(data, [], f.secrets, secretKeys)) };
    } catch (err) {
      // smol-toml's message quotes the offending line, which may hold a secret: line and column only.
      const at = /line (\d+), column (\d+)/.exec(errorMessage(err));
      return { file: f.label, exists: true, error: `not valid TOML${at ? ` at line ${at[1]}, column ${at[2]}` : ""}` };
    }
  });
  const keys = declaredKeys(specs).map((k) => {
    const found = config.find(k.section, k.key, k.field.lookup ?? "fallback");
    return {
      key: [...k.section, k.key].join("."),
      secret: k.secret,
      set: found !== undefined,
      where: found ? describeOrigin(found.origin) : null,
    };
  });
  const sections = new Set(specs.map((s) => s.section[0]!.toUpperCase()));
  sections.add("DESTINATION");
  const environment = Object.entries(env)
    .filter(([name, v]) => v !== undefined && name.includes("__") && sections.has(name.split("__")[0]!))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, v]) => ({ variable: name, value: isSecretPath(name.split("__"), secretKeys) ? MASK : String(v) }));
  return {
    files,
    keys,
    environment,
    token_store: tokenStorePaths(config, env).map((path) => ({ path, exists: existsSync(path) })),
    note: "Secret values are never shown. To change one, ask the user to edit .dlt/secrets.toml or the environment.",
  };
}
