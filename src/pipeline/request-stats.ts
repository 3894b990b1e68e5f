import { currentRequestScope, inRunScope } from "../extract/index.js";
import { onRequestEvent, type RequestEvent } from "../http/index.js";

/** What one resource (or the run) asked of the API during an extract. */
export interface RequestCounts {
  /** Requests sent, every attempt counted (a retried request counts once per attempt). */
  requests: number;
  /** Responses by HTTP status (`"200": 40, "429": 2`); requests minus these had no answer (dropped, timed out). */
  responses: Record<string, number>;
  /** Responses with 429 Too Many Requests. */
  throttled: number;
  /** Attempts that were retried (429, 5xx, dropped connections). */
  retries: number;
  /** Requests given up (no more attempts, or an answer that is not retried). */
  failed: number;
}

/** The extract's requests: in total, per resource, and for work every resource shares (by label). */
export interface RunRequests extends RequestCounts {
  byResource: Record<string, RequestCounts>;
  /** Requests no single resource sent (Sage's business list, a token refresh), by their label. */
  shared: Record<string, RequestCounts>;
}

const zero = (): RequestCounts => ({ requests: 0, responses: {}, throttled: 0, retries: 0, failed: 0 });

function count(c: RequestCounts, e: RequestEvent): void {
  if (e.type === "request") c.requests++;
  else if (e.type === "response") {
    c.responses[String(e.status)] = (c.responses[String(e.status)] ?? 0) + 1;
    if (e.status === 429) c.throttled++;
  } else if (e.type === "retry") c.retries++;
  else if (e.type === "error") c.failed++;
}

/** A request's label without its query string (labels are redacted already; a URL fallback is too). */
function sharedKey(e: Exclude<RequestEvent, { type: "limiter" }>): string {
  return e.label ?? `${e.method} ${e.url.split("?")[0] ?? e.url}`;
}

/**
 * Count the HTTP requests `fn` makes, per resource, into the returned `stats` (filled while `fn`
 * runs, so a failed extract keeps what it counted). Only events raised inside this call's own
 * scope count: another pipeline running in the same process has its own.
 */
export function countRequests<T>(fn: () => Promise<T>): { stats: RunRequests; done: Promise<T> } {
  const token = {};
  const stats: RunRequests = { ...zero(), byResource: {}, shared: {} };
  const stop = onRequestEvent((e) => {
    if (e.type === "limiter") return;
    const scope = currentRequestScope();
    if (scope?.run !== token) return;
    count(stats, e);
    const bucket = scope.resource ? (stats.byResource[scope.resource] ??= zero()) : (stats.shared[sharedKey(e)] ??= zero());
    count(bucket, e);
  });
  const done = inRunScope(token, fn).finally(stop);
  return { stats, done };
}
