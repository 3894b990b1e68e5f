import { ConfigError } from "../util/errors.js";
import { registerSecret } from "../util/redact.js";
import { CODE, DEFAULT, describeOrigin, type Origin } from "./origin.js";
import { envName } from "./providers.js";
import type { ConfigResolver, Found } from "./resolver.js";
import { parseBoolean, parseList } from "./resolver.js";
import { Secret } from "./secret.js";
import {
  type AnyField,
  type ConfigSpec,
  type Fields,
  keyOf,
  type ResolvedConfig,
  type SpecInput,
  type SpecValues,
} from "./spec.js";
import { exampleText, expectedText } from "./spec-text.js";

/** A value and where it came from, before coercion. */
interface Raw {
  value: unknown;
  origin: Origin;
  /** The key path as found (dlt's fallback may find `[sources] hard_delete` for a source key). */
  path: readonly string[];
  /** Where a key inside a table value is written. */
  originOf?: (subPath: readonly string[]) => Origin;
}

/** Thrown for one bad value: names the key, the place it came from and the fix. */
export class ConfigValueError extends ConfigError {
  constructor(
    readonly key: string,
    readonly origin: Origin,
    message: string,
    hint: string,
  ) {
    super(message, { hint });
  }
}

/** How to change a value, by where it came from. */
export function fixAt(origin: Origin, key: string, section: readonly string[], suggestion: string | undefined): string {
  const value = suggestion !== undefined ? ` to ${suggestion}` : "";
  switch (origin.kind) {
    case "env":
      return `set ${origin.variable}${value}`;
    case "file":
      return `change ${key}${value} in ${describeOrigin(origin)}`;
    case "code":
      return `change the value passed in code${value}`;
    case "default":
    case "provider":
      return `set ${key}${value} under [${section.join(".")}] in .dlt/config.toml, or ${envName([...section, key])}`;
  }
}

function shown(value: unknown, secret: boolean): string {
  if (secret) return "(a secret value)";
  if (value instanceof Secret) return "(a secret value)";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value) || (value !== null && typeof value === "object" && !(value instanceof Date))) {
    return Array.isArray(value) ? "a list" : "a table";
  }
  return String(value);
}

class Resolution {
  constructor(
    private readonly spec: ConfigSpec,
    private readonly resolver: ConfigResolver | undefined,
  ) {}

  /** The error for a bad value of `key` (dotted inside a group: `credentials.port`) found at `raw`. */
  bad(key: string, f: AnyField, raw: Raw, problem: string, fix?: string): ConfigValueError {
    const at = raw.path.length > 0 ? raw.path : [...this.spec.section, ...key.split(".")];
    const suggestion = f.example !== undefined || f.default !== undefined ? exampleText(f) : undefined;
    return new ConfigValueError(
      key,
      raw.origin,
      `${this.spec.label} ${key} ${problem} (got ${shown(raw.value, f.secret)}, from ${describeOrigin(raw.origin)})`,
      fix ?? fixAt(raw.origin, at[at.length - 1] ?? key, at.slice(0, -1), suggestion),
    );
  }

  find(section: readonly string[], key: string, f: AnyField): Raw | undefined {
    const found: Found | undefined = this.resolver?.find(section, key, f.lookup ?? "fallback");
    return found ? { value: found.value, origin: found.origin, path: found.path, originOf: found.originOf } : undefined;
  }

  /** Coerce a raw value to the field's type and check its rules. */
  coerce(key: string, f: AnyField, raw: Raw): unknown {
    const fail = (problem: string) => this.bad(key, f, raw, problem);
    const must = `must be ${expectedText(f)}`;
    let v: unknown;
    switch (f.kind) {
      case "string":
        v = typeof raw.value === "string" ? raw.value : scalarText(raw.value);
        if (v === undefined) throw fail(must);
        break;
      case "secret":
        if (raw.value instanceof Secret) v = raw.value;
        else {
          const s = scalarText(raw.value);
          if (s === undefined) throw fail(must);
          v = new Secret(s);
        }
        break;
      case "number":
      case "integer": {
        const n = typeof raw.value === "number" ? raw.value : typeof raw.value === "string" ? Number(raw.value.trim()) : NaN;
        if (!inRange(n, f)) throw fail(must);
        v = n;
        break;
      }
      case "boolean":
        v = parseBoolean(raw.value);
        if (v === undefined) throw fail(must);
        break;
      case "choice": {
        const s = typeof raw.value === "string" ? raw.value.trim() : undefined;
        const match = f.choices?.find((c) => c === s) ?? f.choices?.find((c) => c.toLowerCase() === s?.toLowerCase());
        if (match === undefined) throw fail(must);
        v = match;
        break;
      }
      case "list": {
        const items = parseList(raw.value, () => fail(must));
        if (f.items === "integer") {
          const ids = items.map((x) => Number(x.trim()));
          if (ids.some((n) => !Number.isSafeInteger(n) || (f.positive === true && n <= 0))) throw fail(must);
          v = [...new Set(ids)];
        } else v = items.map((x) => x.trim()).filter((x) => x.length > 0);
        break;
      }
      case "credentials":
        v = this.credentials(key, f, raw);
        break;
    }
    const problem = f.check?.(v);
    if (problem !== undefined) throw fail(problem);
    return v;
  }

  /** A group: one string (parsed), or a table, with missing fields looked up one by one. */
  credentials(key: string, f: AnyField, group: Raw | undefined): Record<string, unknown> {
    const fields = f.fields ?? {};
    const groupPath = group?.path ?? [...this.spec.section, key];
    let given: Record<string, unknown> = {};
    let givenOrigin: Origin | undefined;
    if (group !== undefined) {
      if (typeof group.value === "string" || group.value instanceof Secret) {
        const native = group.value instanceof Secret ? group.value.reveal() : group.value;
        registerSecret(native);
        if (!f.parse) throw this.bad(key, f, { ...group, value: "" }, "must be a table of fields, not one string");
        try {
          given = f.parse(native);
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          throw this.bad(key, { ...f, secret: true }, group, `could not be read (${reason})`);
        }
        givenOrigin = group.origin;
      } else if (group.value !== null && typeof group.value === "object" && !Array.isArray(group.value)) {
        given = { ...(group.value as Record<string, unknown>) };
      } else {
        throw this.bad(key, f, group, `must be ${expectedText(f)}`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [prop, sub] of Object.entries(fields)) {
      const subKey = keyOf(prop, sub);
      let raw: Raw | undefined;
      if (given[subKey] !== undefined && given[subKey] !== "") {
        raw = {
          value: given[subKey],
          origin: givenOrigin ?? this.subOrigin(group, subKey),
          path: [...groupPath, subKey],
        };
      } else {
        const found = this.resolver?.findExact([...this.spec.section, key], subKey);
        if (found) raw = { value: found.value, origin: found.origin, path: found.path };
      }
      if (raw !== undefined) out[prop] = this.coerce(`${key}.${subKey}`, sub, raw);
      else if (sub.default !== undefined) out[prop] = copy(sub.default);
    }
    return out;
  }

  private subOrigin(group: Raw | undefined, subKey: string): Origin {
    return group?.originOf?.([subKey]) ?? group?.origin ?? DEFAULT;
  }
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  // An unquoted TOML date-time (smol-toml gives a Date subclass): take it as ISO text.
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  return undefined;
}

function inRange(n: number, f: AnyField): boolean {
  if (!Number.isFinite(n)) return false;
  if (f.kind === "integer" && !Number.isInteger(n)) return false;
  if (f.positive === true && n <= 0) return false;
  if (f.min !== undefined && n < f.min) return false;
  if (f.max !== undefined && n > f.max) return false;
  return true;
}

function copy(v: unknown): unknown {
  return Array.isArray(v) ? [...(v as unknown[])] : v;
}

/**
 * Resolve a spec: explicit (code) > the resolver's providers > the field's default. Every bad
 * value fails with its key, origin and fix; all missing required keys fail together.
 */
export function resolveSpec<F extends Fields>(
  spec: ConfigSpec<F>,
  resolver: ConfigResolver | undefined,
  explicit: SpecInput<F> = {},
): ResolvedConfig<F> {
  const r = new Resolution(spec, resolver);
  const values: Record<string, unknown> = {};
  const origins: Record<string, Origin> = {};
  const missing: string[] = [];
  for (const [prop, f] of Object.entries(spec.fields)) {
    const key = keyOf(prop, f);
    const given = (explicit as Record<string, unknown>)[prop];
    const raw: Raw | undefined = given !== undefined ? { value: given, origin: CODE, path: [] } : r.find(spec.section, key, f);
    if (f.kind === "credentials" && (raw !== undefined || hasSplitFields(resolver, spec.section, key, f))) {
      values[prop] = r.coerce(key, f, raw ?? { value: {}, origin: DEFAULT, path: [...spec.section, key] });
      origins[prop] = raw?.origin ?? DEFAULT;
      continue;
    }
    if (raw !== undefined) {
      values[prop] = r.coerce(key, f, raw);
      origins[prop] = raw.origin;
    } else if (f.default !== undefined) {
      values[prop] = copy(f.default);
      origins[prop] = DEFAULT;
    } else {
      if (f.required === true) missing.push(key);
      values[prop] = undefined;
      origins[prop] = DEFAULT;
    }
  }
  if (missing.length > 0) throw missingError(spec, missing);
  return {
    spec,
    values: values as SpecValues<F>,
    origin: (prop) => origins[prop] ?? DEFAULT,
    where: (prop) => describeOrigin(origins[prop] ?? DEFAULT),
    error: (prop, problem, fix) =>
      r.bad(
        spec.keyOf(prop),
        spec.fields[prop]!,
        { value: values[prop], origin: origins[prop] ?? DEFAULT, path: [] },
        problem,
        fix,
      ),
  };
}

/**
 * Check the values given in code against the spec, without resolving the rest: a source made
 * without a resolver still fails at once on a bad option, not later when a pipeline runs it.
 */
export function checkOptions<F extends Fields>(spec: ConfigSpec<F>, explicit: SpecInput<F>): Partial<SpecValues<F>> {
  const r = new Resolution(spec, undefined);
  const out: Record<string, unknown> = {};
  for (const [prop, f] of Object.entries(spec.fields)) {
    const given = (explicit as Record<string, unknown>)[prop];
    if (given !== undefined) out[prop] = r.coerce(keyOf(prop, f), f, { value: given, origin: CODE, path: [] });
  }
  return out as Partial<SpecValues<F>>;
}

function hasSplitFields(resolver: ConfigResolver | undefined, section: readonly string[], key: string, f: AnyField): boolean {
  return Object.entries(f.fields ?? {}).some(([p, sub]) => resolver?.findExact([...section, key], keyOf(p, sub)) !== undefined);
}

function missingError(spec: ConfigSpec, missing: string[]): ConfigError {
  const file = missing.some((k) => Object.entries(spec.fields).some(([p, f]) => keyOf(p, f) === k && f.secret))
    ? ".dlt/secrets.toml"
    : ".dlt/config.toml";
  const example = missing.map((k) => `${k} = "..."`).join(", ");
  return new ConfigError(`${spec.missingTitle ?? `${spec.title} settings`} missing: ${missing.join(", ")}`, {
    hint:
      `put them under ${spec.label} in ${file} (${example}) or set ${missing.map((k) => envName([...spec.section, k])).join(", ")}` +
      (spec.missingHint ? `; ${spec.missingHint}` : ""),
  });
}
