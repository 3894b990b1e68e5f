import { isSensitiveKey, redactObject, scrub, SENSITIVE_KEYS } from "../util/redact.js";

const FORM_LIKE = /^[\w.~%+-]+=[^&\s]*(&[\w.~%+-]+=[^&\s]*)*$/;
const KEYS = [...SENSITIVE_KEYS]
  .sort((a, b) => b.length - a.length)
  .map((k) => k.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&"))
  .join("|");
/** `access_token=abc` inside text (an echoed URL). */
const INLINE_PAIR = new RegExp(`(^|[?&;\\s"'(,])(${KEYS})=([^&\\s"'\\\\,;)]+)`, "gi");
/** `"password": "abc"` inside text, also JSON-escaped (`\\"password\\":\\"abc\\"`), as in a JSON body echoed in a string. */
const INLINE_JSON = new RegExp(`(\\\\?"(?:${KEYS})\\\\?"\\s*:\\s*\\\\?")([^"\\\\]+)`, "gi");

/** Masks secret-named pairs that are embedded in free text. */
export function maskInlinePairs(text: string): string {
  return text.replace(INLINE_PAIR, "$1$2=***").replace(INLINE_JSON, "$1***");
}

/** Replaces each of `values` (the secrets one request carried) in `text`. */
export function scrubValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of values) if (v.length >= 4) out = out.split(v).join("***");
  return out;
}

/**
 * A request or response body made safe to log: JSON keys such as `access_token` and
 * `refresh_token` are masked, form fields such as `client_secret` too, and any registered
 * secret left in free text is scrubbed. Token endpoints return fresh tokens nobody registered
 * yet, which is why keys are masked and not only known values.
 */
export function redactBody(body: string, contentType?: string | null): string {
  return maskInlinePairs(redactStructured(body, contentType));
}

function redactStructured(body: string, contentType?: string | null): string {
  const trimmed = body.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.stringify(redactObject(JSON.parse(trimmed)));
    } catch {
      // Not JSON after all (or truncated): fall through to text scrubbing.
    }
  }
  const isForm = (contentType ?? "").includes("application/x-www-form-urlencoded") || FORM_LIKE.test(trimmed);
  if (isForm) {
    const params = new URLSearchParams(trimmed);
    const out: string[] = [];
    for (const [k, v] of params) out.push(`${encodeURIComponent(k)}=${isSensitiveKey(k) ? "***" : encodeURIComponent(v)}`);
    return scrub(out.join("&"));
  }
  return scrub(body);
}

/** Any body value (object, string, form record) rendered for a debug log line. */
export function describeBody(body: unknown): string {
  if (body === undefined) return "";
  if (typeof body === "string") return redactBody(body);
  if (body instanceof Uint8Array) return `<${body.byteLength} bytes>`;
  if (body instanceof URLSearchParams) return redactBody(body.toString(), "application/x-www-form-urlencoded");
  return JSON.stringify(redactObject(body));
}
