import { isSensitiveKey } from "../util/redact.js";
import type { HttpRequestInit, OutgoingRequest } from "./request-init.js";

/**
 * Values this request sends under secret names (query, headers, body keys), to keep them out of
 * error excerpts: a hostile or careless API may echo the request in its error body.
 */
export function requestSecrets(req: OutgoingRequest, init: HttpRequestInit): string[] {
  const out: string[] = [];
  for (const [k, v] of req.url.searchParams) if (isSensitiveKey(k)) out.push(v);
  for (const [k, v] of Object.entries(req.headers)) {
    if (!isSensitiveKey(k)) continue;
    out.push(v, v.replace(/^(Bearer|Basic)\s+/i, ""));
    for (const pair of v.split(";")) out.push(pair.split("=").slice(1).join("=").trim());
  }
  const walk = (v: unknown, depth: number): void => {
    if (depth > 10 || v === null || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === "string" && isSensitiveKey(k)) out.push(x);
      else walk(x, depth + 1);
    }
  };
  walk(init.json, 0);
  if (typeof init.data === "string") {
    for (const [k, v] of new URLSearchParams(init.data)) if (isSensitiveKey(k)) out.push(v);
  } else if (init.data instanceof URLSearchParams) {
    for (const [k, v] of init.data) if (isSensitiveKey(k)) out.push(v);
  } else if (init.data && !(init.data instanceof Uint8Array)) walk(init.data, 0);
  return out.filter((v) => v.length >= 4);
}
