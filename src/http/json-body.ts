import { parseJsonExactNoting } from "../util/lossless-json.js";

/**
 * The one place a response body becomes JSON: HttpResponse.json() and the client's format check
 * both call it, so a different parser (a lossless one for numbers beyond 2^53) is a one-line
 * change here. An empty (or all-whitespace) body is `null`; anything that is not JSON throws.
 */
export function parseJsonBody(text: string): unknown {
  return parseJsonBodyNoting(text).value;
}

/** parseJsonBody, and whether the native parser ran (what isPlainJsonText needs to know). */
export function parseJsonBodyNoting(text: string): { value: unknown; native: boolean } {
  const body = text.trim();
  return body === "" ? { value: null, native: true } : parseJsonExactNoting(body);
}
