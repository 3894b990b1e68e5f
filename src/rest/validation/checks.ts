import { Secret } from "../../config/index.js";
import { didYouMean } from "../../util/suggest.js";

/** A validator: adds one line per problem to `out`, each starting with the config path. */
export type Check = (value: unknown, path: string, out: string[]) => void;

export function describeKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (v instanceof Secret) return "a Secret";
  const t = typeof v;
  return t === "object" ? "an object" : t === "undefined" ? "undefined" : `a ${t}`;
}

export function keyPath(path: string, key: string): string {
  const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `['${key}']`;
  if (!path) return k.startsWith("[") ? k : k;
  return k.startsWith("[") ? `${path}${k}` : `${path}.${k}`;
}

const typed =
  (test: (v: unknown) => boolean, what: string): Check =>
  (v, p, out) => {
    if (!test(v)) out.push(`${p}: must be ${what}, got ${describeKind(v)}`);
  };

export const str = typed((v) => typeof v === "string", "a string");
export const num = typed((v) => typeof v === "number" && Number.isFinite(v), "a number");
export const bool = typed((v) => typeof v === "boolean", "true or false");
export const fn = typed((v) => typeof v === "function", "a function");
export const secret = typed((v) => typeof v === "string" || v instanceof Secret, "a string or a Secret");
export const any: Check = () => undefined;
export const strOrStrings: Check = (v, p, out) => {
  if (typeof v === "string") return;
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return;
  out.push(`${p}: must be a string or a list of strings, got ${describeKind(v)}`);
};

export function oneOf(values: readonly string[]): Check {
  return (v, p, out) => {
    if (typeof v === "string" && values.includes(v)) return;
    const shown = typeof v === "string" ? JSON.stringify(v) : describeKind(v);
    out.push(
      `${p}: must be one of ${values.join(", ")}, got ${shown}${typeof v === "string" ? didYouMean(v, values).replace(/ \(allowed:.*\)$/, "") : ""}`,
    );
  };
}

export function arrayOf(item: Check): Check {
  return (v, p, out) => {
    if (!Array.isArray(v)) {
      out.push(`${p}: must be a list, got ${describeKind(v)}`);
      return;
    }
    v.forEach((x, i) => {
      item(x, `${p}[${i}]`, out);
    });
  };
}

export function recordOf(item: Check): Check {
  return (v, p, out) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      out.push(`${p}: must be an object, got ${describeKind(v)}`);
      return;
    }
    for (const [k, x] of Object.entries(v)) item(x, keyPath(p, k), out);
  };
}

/** An object with known keys: unknown ones are reported with a suggestion, required ones must be there. */
export function object(fields: Readonly<Record<string, Check>>, required: readonly string[] = []): Check {
  const allowed = Object.keys(fields);
  return (v, p, out) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      out.push(`${p}: must be an object, got ${describeKind(v)}`);
      return;
    }
    const o = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(o)) {
      const check = fields[k];
      if (!check) out.push(`${keyPath(p, k)}: unknown key${didYouMean(k, allowed)}`);
      else if (x !== undefined) check(x, keyPath(p, k), out);
    }
    for (const r of required) if (o[r] === undefined) out.push(`${keyPath(p, r)}: required`);
  };
}
