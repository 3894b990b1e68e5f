import { parseJsonExact } from "../util/lossless-json.js";

/**
 * The one place a response body becomes JSON: HttpResponse.json() and the client's format check
 * both call it, so a different parser (a lossless one for numbers beyond 2^53) is a one-line
 * change here. An empty (or all-whitespace) body is `null`; anything that is not JSON throws.
 */
export function parseJsonBody(text: string): unknown {
  const body = text.trim();
  return body === "" ? null : parseJsonExact(body);
}
