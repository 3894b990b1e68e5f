import { existsSync, readFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import type { ConfigResolver } from "../config/resolver.js";
import type { ConfigSpec } from "../config/spec.js";
import { defaultTokenStorePath } from "../sage/auth/token-store.js";
import { SAGE_SPEC } from "../sage/options.js";
import { registerSecret } from "../util/redact.js";
import { configFiles, declaredKeys, isSecretPath, secretKeyNames } from "./config-files.js";

/** The token store's secret fields (its client id, URL and times are not). */
const TOKEN_FIELDS = new Set(["accessToken", "refreshToken"]);

/** A DSN's password travels decoded in driver errors too. */
function registerWithDsnPassword(value: string): void {
  registerSecret(value);
  try {
    const url = new URL(value);
    if (url.password) registerSecret(decodeURIComponent(url.password));
  } catch {
    // not a URL: the whole value is registered already
  }
}

function walk(node: unknown, path: string[], visit: (path: string[], value: string) => void): void {
  if (typeof node === "string") visit(path, node);
  else if (Array.isArray(node)) {
    node.forEach((v, i) => {
      walk(v, [...path, String(i)], visit);
    });
  } else if (node !== null && typeof node === "object" && !(node instanceof Date)) {
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) walk(v, [...path, k], visit);
  }
}

/** The Sage token store `auth login` writes: the configured one and the default. */
export function tokenStorePaths(config: ConfigResolver, env: NodeJS.ProcessEnv = process.env): string[] {
  const stores = new Set([defaultTokenStorePath(env)]);
  const configured = config.find(SAGE_SPEC.section, SAGE_SPEC.keyOf("tokenStore"), "section")?.value;
  if (typeof configured === "string") stores.add(configured);
  return [...stores];
}

/**
 * Teach the scrubber every secret value this folder's setup holds before any tool answers:
 * every value in a secrets.toml, secret keys of config.toml and of the environment, the tokens
 * of the token store. Then no answer can carry one, even if a row, an error or a trace quotes it.
 */
export function registerKnownSecrets(
  cwd: string,
  specs: readonly ConfigSpec[],
  config: ConfigResolver,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const secretKeys = secretKeyNames(specs);
  for (const file of configFiles(cwd, env)) {
    if (!existsSync(file.path)) continue;
    let data: unknown;
    try {
      data = parseToml(readFileSync(file.path, "utf8"));
    } catch {
      continue; // a broken file is reported by secrets_view_redacted, and no run can use it
    }
    walk(data, [], (path, value) => {
      if (file.secrets || isSecretPath(path, secretKeys)) registerWithDsnPassword(value);
    });
  }
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && name.includes("__") && isSecretPath(name.split("__"), secretKeys)) registerWithDsnPassword(value);
  }
  for (const k of declaredKeys(specs)) {
    if (!k.secret && k.field.kind !== "credentials") continue;
    const found = config.find(k.section, k.key, k.field.lookup ?? "fallback");
    walk(found?.value, [k.key], (path, v) => {
      if (isSecretPath(path, secretKeys)) registerWithDsnPassword(v);
    });
  }
  for (const store of tokenStorePaths(config, env)) {
    if (!existsSync(store)) continue;
    try {
      walk(JSON.parse(readFileSync(store, "utf8")), [], (path, value) => {
        if (TOKEN_FIELDS.has(path[path.length - 1] ?? "")) registerSecret(value);
      });
    } catch {
      // a damaged store holds nothing a tool could show
    }
  }
}
