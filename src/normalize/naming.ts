import { createHash } from "node:crypto";

/**
 * dlt's `snake_case` naming convention, rule for rule (reference §4.1), so tables and columns
 * come out exactly as a dlt user expects:
 * strip; translate `+-*@|` to `x_xal`; runs of anything but letters, digits and `_` become `_`;
 * split camelCase; prefix `_` before a leading digit; each trailing `_` becomes `x`; collapse `__+`;
 * then shorten names longer than the destination allows with a deterministic hash tag in the middle.
 */
export const PATH_SEPARATOR = "__";

const REDUCE_FROM = "+-*@|";
const REDUCE_TO = "x_xal";
// Python's \d matches any Unicode decimal digit; \p{Nd} is the same set.
const RE_NON_ALPHANUMERIC = /[^a-zA-Z\p{Nd}_]+/gu;
const RE_UNDERSCORES = /__+/g;
const RE_LEADING_DIGITS = /^\p{Nd}+/u;
const RE_BREAK_1 = /([^_])([A-Z][a-z]+)/g;
const RE_BREAK_2 = /([a-z0-9])([A-Z])/g;
const COLLISION_PROB = 0.001;
// shake_128 digest length for the tag: ((2+1) * log2(1/p)) // 8 + 1 bytes, as dlt computes it.
const TAG_BYTES = Math.floor((3 * Math.log2(1 / COLLISION_PROB)) / 8) + 1;

function translate(s: string): string {
  let out = "";
  for (const ch of s) {
    const i = REDUCE_FROM.indexOf(ch);
    out += i >= 0 ? REDUCE_TO.charAt(i) : ch;
  }
  return out;
}

function toSnakeCase(identifier: string): string {
  let s = identifier.replace(RE_BREAK_1, "$1_$2");
  s = s.replace(RE_BREAK_2, "$1_$2").toLowerCase();
  if (RE_LEADING_DIGITS.test(s)) s = `_${s}`;
  const stripped = s.replace(/_+$/, "");
  s = stripped + "x".repeat(s.length - stripped.length);
  return s.replace(RE_UNDERSCORES, "_");
}

/** The tag dlt puts in the middle of a shortened identifier: base64(shake_128(original)), lowercased. */
export function computeTag(identifier: string): string {
  const digest = createHash("shake128", { outputLength: TAG_BYTES }).update(identifier, "utf8").digest("base64");
  return digest.replace(/=+$/, "").replace(/\//g, "a").replace(/\+/g, "b").toLowerCase();
}

/**
 * The length a destination counts: UTF-8 bytes (Postgres' 63-byte NAMEDATALEN limit). Names are
 * ASCII apart from Unicode digits (`\p{Nd}`), so for them this equals dlt's character count.
 */
export function identifierLength(name: string): number {
  return Buffer.byteLength(name, "utf8");
}

/** Trim `normalized` to `maxLength` bytes keeping its head and tail around the tag of `original`. */
export function shortenIdentifier(normalized: string, original: string, maxLength: number | undefined): string {
  if (!maxLength) return normalized;
  if (normalized.length <= maxLength && identifierLength(normalized) <= maxLength) return normalized;
  const tag = computeTag(original);
  const remaining = maxLength - tag.length;
  const half = Math.floor(remaining / 2);
  const head = half + (remaining % 2);
  // Cut on code points so a multi-byte character is never split; for ASCII this is dlt's rule.
  const chars = Array.from(normalized);
  let headStr = "";
  let bytes = 0;
  for (const ch of chars) {
    const n = identifierLength(ch);
    if (bytes + n > head) break;
    headStr += ch;
    bytes += n;
  }
  let tailStr = "";
  bytes = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const n = identifierLength(chars[i]!);
    if (bytes + n > half) break;
    tailStr = chars[i]! + tailStr;
    bytes += n;
  }
  return headStr + tag + tailStr;
}

/** A naming convention bound to one destination's maximum identifier length. */
export class NamingConvention {
  private readonly cache = new Map<string, string>();

  constructor(readonly maxLength?: number) {}

  /**
   * One identifier (a key or a table name). dlt raises on an empty name; here an empty or
   * whitespace-only key becomes `_empty` so that bad input still loads, deterministically.
   */
  normalizeIdentifier(identifier: string): string {
    const hit = this.cache.get(identifier);
    if (hit !== undefined) return hit;
    const trimmed = identifier.trim();
    const base = trimmed.length === 0 ? "_empty" : trimmed;
    const reduced = translate(base).replace(RE_NON_ALPHANUMERIC, "_");
    const out = shortenIdentifier(toSnakeCase(reduced), base, this.maxLength);
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(identifier, out);
    return out;
  }

  makePath(...identifiers: string[]): string {
    return identifiers.filter((i) => i.trim().length > 0).join(PATH_SEPARATOR);
  }

  breakPath(path: string): string[] {
    return path.split(PATH_SEPARATOR).filter((i) => i.trim().length > 0);
  }

  /** Normalize each part of a `__` path, join, and shorten the whole. */
  normalizePath(path: string): string {
    const parts = this.breakPath(path).map((p) => this.normalizeIdentifier(p));
    return shortenIdentifier(this.makePath(...parts), path, this.maxLength);
  }

  /** Join already-normalized fragments and shorten the result (child table and flattened column names). */
  shortenFragments(...fragments: string[]): string {
    const path = this.makePath(...fragments);
    return shortenIdentifier(path, path, this.maxLength);
  }
}
