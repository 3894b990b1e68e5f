import { knownCode } from "../util/error-kind.js";
import { describeNetworkError } from "./errors.js";
import type { OutgoingRequest } from "./request-init.js";
import { HttpResponse } from "./response.js";

/** How long one attempt may take, in milliseconds; 0 turns a limit off. */
export interface AttemptLimits {
  /** The whole attempt: connect, headers and the full body (`request_timeout`). */
  requestTimeoutMs: number;
  /** The longest silence: before the headers, or between two chunks of the body (`request_stall_timeout`). */
  stallTimeoutMs: number;
}

/** An attempt that produced no usable response; the client decides whether it is worth another. */
export interface NetworkFailure {
  /** Which limit ended it, when one did. */
  readonly timedOut: "request" | "stall" | undefined;
  /** The driver's code (ECONNREFUSED, ENOTFOUND, a TLS code...) when it is one util/error-kind.ts knows. */
  readonly code: string | undefined;
  /** `fetch failed: ECONNRESET: other side closed`, scrubbed. */
  readonly description: string;
  /** True when response headers had arrived: the host answered, then the body broke. */
  readonly answered: boolean;
  readonly cause: unknown;
}

class AttemptTimeout extends Error {}

/** The body as text, re-arming the stall timer at every chunk. */
async function readBody(res: Response, progress: () => void): Promise<string> {
  if (!res.body) return "";
  const decoder = new TextDecoder();
  const parts: string[] = [];
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    progress();
    parts.push(decoder.decode(chunk, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join("");
}

/**
 * One attempt: fetch and read the whole body under the request and stall timeouts. Returns the
 * response, or what went wrong when nothing usable came back. The caller's abort is not a
 * failure: it rejects with the signal's reason.
 */
export async function sendAttempt(
  req: OutgoingRequest,
  body: string | Uint8Array | undefined,
  limits: AttemptLimits,
  signal: AbortSignal | undefined,
  meta: { method: string; url: string; label?: string },
): Promise<HttpResponse | NetworkFailure> {
  if (signal?.aborted) throw signal.reason;
  const abort = new AbortController();
  let timedOut: "request" | "stall" | undefined;
  let answered = false;
  const onCallerAbort = () => {
    abort.abort(signal?.reason);
  };
  signal?.addEventListener("abort", onCallerAbort, { once: true });
  const expire = (which: "request" | "stall") => () => {
    timedOut ??= which;
    abort.abort(new AttemptTimeout(which));
  };
  const requestTimer = limits.requestTimeoutMs > 0 ? setTimeout(expire("request"), limits.requestTimeoutMs) : undefined;
  const stallTimer = limits.stallTimeoutMs > 0 ? setTimeout(expire("stall"), limits.stallTimeoutMs) : undefined;
  const progress = () => stallTimer?.refresh();
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body,
      signal: abort.signal,
      redirect: "follow",
    });
    answered = true;
    progress();
    const text = await readBody(res, progress);
    return new HttpResponse(res.status, res.statusText, res.headers, res.url || req.url.toString(), text, meta);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    return {
      timedOut,
      code: timedOut ? undefined : knownCode(err),
      description: describeNetworkError(err),
      answered,
      cause: err,
    };
  } finally {
    clearTimeout(requestTimer);
    clearTimeout(stallTimer);
    signal?.removeEventListener("abort", onCallerAbort);
  }
}
