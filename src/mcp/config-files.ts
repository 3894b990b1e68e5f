import { defaultProviders, TomlProvider } from "../config/providers.js";
import { type AnyField, type ConfigSpec, keyOf } from "../config/spec.js";
import { isSensitiveKey } from "../util/redact.js";

/** One TOML file the config reads, as the user knows it (`.dlt/secrets.toml`). */
export interface ConfigFile {
  label: string;
  path: string;
  /** Every value of a secrets file counts as secret, whatever its key. */
  secrets: boolean;
}

/** The TOML files `run` reads from `cwd` and the data dir, in priority order. */
export function configFiles(cwd: string, env: NodeJS.ProcessEnv = process.env): ConfigFile[] {
  return defaultProviders(cwd, env)
    .filter((p): p is TomlProvider => p instanceof TomlProvider)
    .map((p) => ({ label: p.name, path: p.file, secrets: p.name.endsWith("secrets.toml") }));
}

/** A declared key with its section: what `secrets_view_redacted` lists and the scrubber learns. */
export interface DeclaredKey {
  section: readonly string[];
  key: string;
  field: AnyField;
  secret: boolean;
}

export function declaredKeys(specs: readonly ConfigSpec[]): DeclaredKey[] {
  const out: DeclaredKey[] = [];
  for (const spec of specs) {
    for (const [prop, f] of Object.entries(spec.fields)) {
      out.push({ section: spec.section, key: keyOf(prop, f), field: f, secret: f.secret });
    }
  }
  return out;
}

/**
 * Whether the value at `path` (sections + key) is secret: a spec says its key is, the key is one
 * of the scrubber's sensitive names (password, token, ...), or it is a whole `credentials` value
 * (a DSN). Inside a credentials table only the sensitive fields are (`host` is not).
 */
export function isSecretPath(path: readonly string[], secretKeys: ReadonlySet<string>): boolean {
  const key = [...path]
    .reverse()
    .find((p) => !/^\d+$/.test(p))
    ?.toLowerCase();
  if (key === undefined) return false;
  return secretKeys.has(key) || isSensitiveKey(key) || key.includes("password") || key.includes("secret");
}

/** Keys whose whole value is secret: the specs' secret fields, and `credentials` (often a DSN). */
export function secretKeyNames(specs: readonly ConfigSpec[]): Set<string> {
  return new Set([
    "credentials",
    ...declaredKeys(specs)
      .filter((k) => k.secret)
      .map((k) => k.key),
  ]);
}
