import type { ConfigError } from "../util/errors.js";
import type { Origin } from "./origin.js";
import type { Lookup } from "./resolver.js";
import type { Secret } from "./secret.js";

/**
 * A component's config, declared once (dlt's `@configspec`): its section and its keys, each
 * with a type, a default, whether it is secret, and one line of doc. The resolver turns a spec
 * into typed values (`ResolvedConfig`) and remembers where each came from; `init`'s templates,
 * the README tables and the unknown-key warnings are generated from the same declaration.
 *
 * ```ts
 * export const SAGE_SPEC = configSpec({
 *   title: "Sage Accounting source",
 *   section: ["sources", "sage_accounting_source"],
 *   fields: {
 *     itemsPerPage: field.integer({ doc: "page size", default: 200, min: 1, max: 200 }),
 *     clientSecret: field.secret({ doc: "your app's secret" }),
 *   },
 * });
 * const { values } = resolver.resolve(SAGE_SPEC, { itemsPerPage: 50 }); // values.itemsPerPage: number
 * ```
 */
export type FieldKind = "string" | "secret" | "number" | "integer" | "boolean" | "list" | "choice" | "credentials";

/** What every field can say about itself. */
export interface FieldOptions<T> {
  /** One line: what the key does (README table, init template comment). */
  readonly doc: string;
  /** The TOML key; default: the field's property name in snake_case (`itemsPerPage` → `items_per_page`). */
  readonly key?: string;
  readonly default?: T;
  /** How docs show a default that is computed or absent ("every business of the login"). */
  readonly defaultDoc?: string;
  /** A typical value, shown (commented out) in init's template and in error hints. */
  readonly example?: T;
  /** Missing → one ConfigError listing every missing key, the env variables and the file to use. */
  readonly required?: boolean;
  /** How far up the sections the key is looked for (default dlt's `fallback`). */
  readonly lookup?: Lookup;
  /** Which file init writes it to; default `secrets` for secrets and credentials, else `config`. */
  readonly file?: "config" | "secrets";
  /** A rule beyond the type: return what is wrong ("must be an ISO date-time") or undefined. */
  readonly check?: (value: T) => string | undefined;
  /** Leave out of init's templates (still documented in the README table). */
  readonly hidden?: boolean;
}

export interface RangeOptions {
  readonly min?: number;
  readonly max?: number;
  /** Greater than 0 (for rates and sizes where 0 makes no sense). */
  readonly positive?: boolean;
}

/**
 * A declared key. `T` is the resolved type, `In` what code may pass explicitly, `P` whether a
 * value is always present (a default or `required`), which decides `T` or `T | undefined`.
 */
export interface Field<T = unknown, In = unknown, P extends boolean = boolean> extends FieldOptions<T>, RangeOptions {
  readonly kind: FieldKind;
  readonly secret: boolean;
  /** `choice`: the allowed values. */
  readonly choices?: readonly string[];
  /** `list`: the item type. */
  readonly items?: "string" | "integer";
  /** What the error says a value must be, instead of the generated phrase. */
  readonly expected?: string;
  /** `credentials`: the group's fields. */
  readonly fields?: Fields;
  /** `credentials`: turns the one-string form (a DSN) into field values; without it a string is refused. */
  readonly parse?: (native: string) => Record<string, unknown>;
  /** Type carriers only; never set. */
  readonly __types?: { value: T; input: In; present: P };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the variance of Field's carriers needs `any` here
export type AnyField = Field<any, any>;
export type Fields = Readonly<Record<string, AnyField>>;

type Present<O> = O extends { readonly default: unknown } ? true : O extends { readonly required: true } ? true : false;

/** The resolved, typed values of a spec's fields. */
export type SpecValues<F extends Fields> = {
  -readonly [K in keyof F]: F[K] extends Field<infer T, infer _In, infer P> ? (P extends true ? T : T | undefined) : never;
};

/** What code may pass for a spec's fields (each optional; explicit values win over config). */
export type SpecInput<F extends Fields> = {
  [K in keyof F]?: (F[K] extends Field<infer _T, infer In, infer _P> ? In : never) | undefined;
};

/** What code may pass to a spec (`OptionsOf<typeof SAGE_SPEC>`). */
export type OptionsOf<S extends ConfigSpec> = SpecInput<S["fields"]>;
/** A spec's resolved values (`ValuesOf<typeof SAGE_SPEC>`). */
export type ValuesOf<S extends ConfigSpec> = SpecValues<S["fields"]>;

export interface ConfigSpec<F extends Fields = Fields> {
  /** What the section configures, for messages ("Sage Accounting source"). */
  readonly title: string;
  readonly section: readonly string[];
  readonly fields: F;
  /** What the "missing keys" error calls the keys ("Sage One South Africa credentials"). */
  readonly missingTitle?: string;
  /** Extra words for the "missing keys" error (where to get the values). */
  readonly missingHint?: string;
  /** `ignore` for a section that also holds keys of other components (`[destination]`). Default `warn`. */
  readonly unknownKeys: "warn" | "ignore";
  /** The TOML key of a field. */
  keyOf(prop: keyof F & string): string;
  /** `[sources.sage_accounting_source]`. */
  readonly label: string;
}

/** The result of resolving a spec: typed values plus where each came from. */
export interface ResolvedConfig<F extends Fields = Fields> {
  readonly spec: ConfigSpec<F>;
  readonly values: SpecValues<F>;
  /** Where a field's value came from (`default` when unset and defaulted or absent). */
  origin(prop: keyof F & string): Origin;
  /** `environment variable X`, `.dlt/config.toml:12`, `the option passed in code`, `the default`. */
  where(prop: keyof F & string): string;
  /**
   * A ConfigError about `prop`'s value for rules that need more than one field: it names the
   * key, where the value came from, and the fix.
   */
  error(prop: keyof F & string, problem: string, fix?: string): ConfigError;
}

export const snakeCase = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function make<T, In, P extends boolean>(kind: FieldKind, o: object): Field<T, In, P> {
  return Object.freeze({ ...o, kind, secret: kind === "secret" }) as Field<T, In, P>;
}

type Opts<T> = FieldOptions<T>;

/** Field constructors: `field.integer({ doc, default: 200, min: 1, max: 200 })`. */
export const field = {
  string<const O extends Opts<string>>(o: O): Field<string, string, Present<O>> {
    return make("string", o);
  },
  /** A secret: resolved as `Secret` (prints `***`), accepted in code as a string or a Secret. */
  secret<const O extends Omit<Opts<Secret>, "default" | "example">>(o: O): Field<Secret, string | Secret, Present<O>> {
    return make("secret", o);
  },
  number<const O extends Opts<number> & RangeOptions>(o: O): Field<number, number, Present<O>> {
    return make("number", o);
  },
  integer<const O extends Opts<number> & RangeOptions>(o: O): Field<number, number, Present<O>> {
    return make("integer", o);
  },
  boolean<const O extends Opts<boolean>>(o: O): Field<boolean, boolean, Present<O>> {
    return make("boolean", o);
  },
  /** Strings from a TOML array or a comma-separated / JSON-style env value. */
  list<const O extends Opts<readonly string[]>>(o: O): Field<string[], readonly string[] | string, Present<O>> {
    return make("list", { ...o, items: "string" });
  },
  /** Integers (ids): `[1, 2]` in TOML, `1,2` in env. */
  integers<const O extends Opts<readonly number[]> & { expected?: string }>(
    o: O,
  ): Field<number[], ReadonlyArray<number | string> | string, Present<O>> {
    return make("list", { ...o, items: "integer" });
  },
  /** One of a few literals: `field.choice(["jsonl", "parquet"], { doc, default: "jsonl" })`. */
  choice<const C extends readonly string[], const O extends Opts<C[number]>>(
    choices: C,
    o: O,
  ): Field<C[number], C[number], Present<O>> {
    return make("choice", { ...o, choices });
  },
  /**
   * A credentials group as dlt accepts it: one string (a DSN, given to `parse`) or a table of
   * fields (`[destination.postgres.credentials]`, `DESTINATION__POSTGRES__CREDENTIALS__PASSWORD`),
   * also split over several providers. Resolves to the typed fields.
   */
  credentials<const G extends Fields, const O extends Omit<Opts<SpecValues<G>>, "default" | "example" | "check">>(
    o: O & {
      fields: G;
      parse?: (native: string) => Record<string, unknown>;
      check?: (value: SpecValues<G>) => string | undefined;
    },
  ): Field<SpecValues<G>, string | SpecInput<G>, Present<O>> {
    return make("credentials", o);
  },
};

const KEY_RE = /^[a-z][a-z0-9_]*$/;

/**
 * Keys declared for each section by every spec made so far: two components can share a section
 * (`[runtime]` holds the HTTP retry keys and the worker's keys) and neither warns about the other's.
 */
const declaredBySection = new Map<string, Set<string>>();

/** Every key any spec declared for `section` (the unknown-key check's list). */
export function declaredKeys(section: readonly string[]): ReadonlySet<string> {
  return declaredBySection.get(section.join(".")) ?? new Set();
}

/** Declare a component's config. Checks the declaration itself (keys, defaults) once, at load. */
export function configSpec<const F extends Fields>(def: {
  title: string;
  section: readonly string[];
  fields: F;
  missingTitle?: string;
  missingHint?: string;
  unknownKeys?: "warn" | "ignore";
}): ConfigSpec<F> {
  const seen = new Set<string>();
  const check = (fields: Fields, where: string) => {
    for (const [prop, f] of Object.entries(fields)) {
      const key = f.key ?? snakeCase(prop);
      if (!KEY_RE.test(key)) throw new Error(`${where}: key ${key} is not snake_case`);
      const id = `${where}.${key}`;
      if (seen.has(id)) throw new Error(`${where}: key ${key} is declared twice`);
      seen.add(id);
      if (f.kind === "credentials" && f.fields) check(f.fields, id);
    }
  };
  const label = `[${def.section.join(".")}]`;
  check(def.fields, label);
  const declared = declaredBySection.get(def.section.join(".")) ?? new Set<string>();
  for (const [prop, f] of Object.entries(def.fields)) declared.add(f.key ?? snakeCase(prop));
  declaredBySection.set(def.section.join("."), declared);
  return Object.freeze({
    title: def.title,
    section: Object.freeze([...def.section]),
    fields: def.fields,
    label,
    unknownKeys: def.unknownKeys ?? "warn",
    ...(def.missingTitle !== undefined ? { missingTitle: def.missingTitle } : {}),
    ...(def.missingHint !== undefined ? { missingHint: def.missingHint } : {}),
    keyOf: (prop: keyof F & string) => def.fields[prop]?.key ?? snakeCase(prop),
  });
}

/** The TOML key of a field of any spec. */
export function keyOf(prop: string, f: AnyField): string {
  return f.key ?? snakeCase(prop);
}

/** The same spec for another section (a REST source's limiter under `[sources.<name>.limiter]`). */
export function atSection<F extends Fields>(spec: ConfigSpec<F>, section: readonly string[]): ConfigSpec<F> {
  return configSpec({
    title: spec.title,
    section,
    fields: spec.fields,
    unknownKeys: spec.unknownKeys,
    ...(spec.missingTitle !== undefined ? { missingTitle: spec.missingTitle } : {}),
    ...(spec.missingHint !== undefined ? { missingHint: spec.missingHint } : {}),
  });
}
