/**
 * One place that knows what a secret looks like, so every log line, error message and trace
 * can be scrubbed the same way. Secret values register themselves here when they are created
 * (see config/secret.ts); `scrub` then replaces any occurrence of them in free text.
 */

const registered = new Set<string>();
let pattern: RegExp | undefined;

/** Query parameters and JSON keys whose values are secrets (dlt's list, plus OAuth's). */
export const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  "api_key",
  "apikey",
  "api-key",
  "key",
  "token",
  "access_token",
  "access-token",
  "refresh_token",
  "id_token",
  "secret",
  "client_secret",
  "password",
  "pwd",
  "passwd",
  "code",
  "authorization",
  "x-api-key",
  "cookie",
  "set-cookie",
  "proxy-authorization",
  "assertion",
  "private_key",
]);

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEYS.has(key.toLowerCase());
}

/** Remember a secret value so that `scrub` removes it from any text. Short values are ignored:
 * masking "1" or "ab" everywhere would destroy logs without protecting anything. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 4 || registered.has(value)) return;
  registered.add(value);
  pattern = undefined;
  // Encoded forms travel in URLs and headers too.
  const enc = encodeURIComponent(value);
  if (enc !== value) registered.add(enc);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Replace every registered secret, `Bearer`/`Basic` credentials and URL passwords in `text`. */
export function scrub(text: string): string {
  if (!text) return text;
  let out = text;
  if (registered.size > 0) {
    pattern ??= new RegExp(
      [...registered]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join("|"),
      "g",
    );
    out = out.replace(pattern, "***");
  }
  out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g, "$1 ***");
  out = out.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]+:)[^@/\s]+@/gi, "$1***@");
  return out;
}

/** A URL with credentials and sensitive query parameters replaced by `***`. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return scrub(url);
  }
  if (parsed.password) parsed.password = "***";
  for (const key of [...parsed.searchParams.keys()]) {
    if (isSensitiveKey(key)) parsed.searchParams.set(key, "***");
  }
  // URLSearchParams encodes "*" as "%2A"; keep the mask readable.
  return scrub(parsed.toString().replace(/%2A%2A%2A/g, "***"));
}

/** Headers as a plain object with secret-bearing ones masked, for logs and traces. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = isSensitiveKey(k) ? "***" : scrub(v);
  }
  return out;
}

/** Deep copy of a JSON-like value with sensitive keys masked (token bodies, auth configs). */
export function redactObject(value: unknown, depth = 0): unknown {
  if (depth > 20 || value === null || typeof value !== "object") {
    return typeof value === "string" ? scrub(value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => redactObject(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSensitiveKey(k) && v != null ? "***" : redactObject(v, depth + 1);
  }
  return out;
}

/** A key whose value is a secret by its name's ending (`client_secret`, `[destination.x] credentials`, `sa_password`). */
const SECRET_KEY_ENDING = /(secret|token|password|passwd|pwd|api_?key|credentials|private_key)["']?$/i;

/**
 * A TOML parser's excerpt (`N:  line` rows and a caret row) safe to print: the values of keys that
 * name a secret are masked, and in a secrets file (`allValues`) every value and every line that is
 * not a key or a section (a multi-line string's body). A secret is not registered yet when its
 * file does not parse, so `scrub` cannot catch it. Masks keep the length, so the caret still points
 * at the column the error names.
 */
export function redactTomlExcerpt(excerpt: string, allValues: boolean): string {
  const mask = (s: string) => s.replace(/\S/g, "*");
  return excerpt
    .split("\n")
    .map((row) => {
      const m = /^(\s*\d+:\s?\s?)(.*)$/.exec(row);
      if (!m) return row;
      const [, gutter, line] = m as unknown as [string, string, string];
      const kv = /^(\s*([A-Za-z0-9_."'-]+)\s*=\s*)(.*)$/.exec(line);
      if (kv) {
        const [, head, key] = kv as unknown as [string, string, string];
        const value = line.slice(head.length);
        return allValues || SECRET_KEY_ENDING.test(key) || isSensitiveKey(key) ? `${gutter}${head}${mask(value)}` : row;
      }
      if (!allValues || /^\s*(\[.*\]\s*)?(#.*)?$/.test(line)) return row;
      return `${gutter}${mask(line)}`;
    })
    .join("\n");
}
