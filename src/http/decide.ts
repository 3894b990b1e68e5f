import {
  ConnectionError,
  createHttpError,
  type HintWords,
  type HttpError,
  type HttpErrorDetails,
  type ResponseFormatError,
} from "./errors.js";
import type { HttpResponse } from "./response.js";
import { backoffDelayMs, formatDuration, isRetryableStatus, type RetryPolicy } from "./retry.js";
import type { NetworkFailure } from "./send.js";
import { kindOfCode } from "../util/error-kind.js";

/**
 * What to do after an attempt, decided by the rules alone (no I/O, so each rule is testable):
 * hand the response back, wait and try again, or fail with the error that explains it.
 */
export type Decision =
  | { action: "accept" }
  | { action: "retry"; delayMs: number; reason: string; status?: number }
  | { action: "fail"; error: HttpError };

export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  policy: RetryPolicy;
  random: () => number;
  /** How the caller's configuration names things, for hints. */
  words: HintWords;
  /** Redacted method, URL and label of the request, with `attempts` = `attempt`. */
  details: HttpErrorDetails;
}

function afterAttempts(attempt: number): string {
  return attempt > 1 ? ` (after ${attempt} attempts)` : "";
}

/**
 * Why a failure is not worth another attempt, or undefined when it is. Not retried: a name that
 * does not resolve (ENOTFOUND; EAI_AGAIN is the resolver being unwell and is retried), a TLS
 * failure, and a refused connection to a host that has not answered once in this run (nothing
 * listens there: the URL or port is wrong, or the server is down for longer than a backoff).
 * Resets, cut bodies and timeouts are retried.
 */
export function whyNotRetried(f: NetworkFailure, hostAnswered: boolean): string | undefined {
  if (f.timedOut) return undefined;
  if (f.code === "ECONNREFUSED") return hostAnswered ? undefined : "nothing has answered at this address in this run";
  if (f.code === "ENOTFOUND") return "the host name does not resolve";
  if (kindOfCode(f.code) === "terminal") return "a TLS or protocol failure does not go away by retrying";
  return undefined;
}

function failureHint(f: NetworkFailure, words: HintWords): string {
  if (f.timedOut === "request") return "the server did not answer in time: raise runtime.request_timeout or check the server";
  if (f.timedOut === "stall")
    return "the server stopped sending mid-response: raise runtime.request_stall_timeout or check the server";
  if (f.code === "ENOTFOUND") return `check the host name in ${words.baseUrl} and the machine's DNS`;
  if (f.code === "ECONNREFUSED") return `check ${words.baseUrl} (scheme, host and port) and that the server runs`;
  if (kindOfCode(f.code) === "terminal")
    return `the TLS handshake failed (${f.code ?? "unknown"}): check that ${words.baseUrl} uses the right scheme and host, and the server's certificate`;
  return `check the network and ${words.baseUrl}; the connection was reset or cut off mid-response`;
}

/** A failure without a response: retry it (with backoff) or fail with a ConnectionError that says why. */
export function decideAfterFailure(f: NetworkFailure, hostAnswered: boolean, ctx: AttemptContext): Decision {
  const notRetried = whyNotRetried(f, hostAnswered);
  const what =
    f.timedOut === "request"
      ? `timed out after ${formatDuration(ctx.policy.requestTimeout * 1000)}`
      : f.timedOut === "stall"
        ? `stalled: nothing received for ${formatDuration(ctx.policy.requestStallTimeout * 1000)}`
        : `failed: ${f.description}`;
  if (notRetried === undefined && ctx.attempt < ctx.policy.requestMaxAttempts) {
    return {
      action: "retry",
      delayMs: backoffDelayMs(ctx.attempt, ctx.policy, ctx.random),
      reason: f.timedOut ? what : f.description,
    };
  }
  const note = notRetried !== undefined ? ` (not retried: ${notRetried})` : afterAttempts(ctx.attempt);
  return {
    action: "fail",
    error: new ConnectionError(ctx.details, `${what}${note}`, {
      cause: f.cause,
      hint: failureHint(f, ctx.words),
      ...(kindOfCode(f.code) ? { kind: kindOfCode(f.code) } : {}),
    }),
  };
}

export interface ResponseFacts {
  response: HttpResponse;
  /** Set when a 2xx body that should be JSON is not (HTML, cut short): retried like a 5xx. */
  formatError: ResponseFormatError | undefined;
  /** The client's retryCondition said this 2xx is not really a success. */
  rejectedByCondition: boolean;
  /** Retry-After in milliseconds, when the response said. */
  retryAfterMs: number | undefined;
  /** The caller wants non-2xx responses back instead of errors. */
  returnErrors: boolean;
  /** The error details of a failing response (built only when needed: redacting a body costs a parse). */
  failureDetails: () => HttpErrorDetails & { status: number };
}

/**
 * A response: accept it, retry it (408, 429, 5xx, a format error, a retryCondition; Retry-After
 * wins over the backoff and one longer than request_max_retry_delay fails at once), or fail
 * with the error class its status maps to.
 */
export function decideAfterResponse(facts: ResponseFacts, ctx: AttemptContext): Decision {
  const { response, formatError, retryAfterMs } = facts;
  const status = response.status;
  const retryable = formatError !== undefined || isRetryableStatus(status) || (response.ok && facts.rejectedByCondition);
  if (!retryable) {
    if (response.ok || facts.returnErrors) return { action: "accept" };
    return { action: "fail", error: createHttpError(facts.failureDetails(), {}, ctx.words) };
  }
  if (retryAfterMs !== undefined && retryAfterMs > ctx.policy.requestMaxRetryDelay * 1000) {
    const error = createHttpError(
      facts.failureDetails(),
      {
        retryAfterMs,
        reason: `the API asked to wait ${formatDuration(retryAfterMs)} (Retry-After: ${response.headers.get("retry-after") ?? ""}), longer than runtime.request_max_retry_delay (${ctx.policy.requestMaxRetryDelay} s)`,
      },
      ctx.words,
    );
    return { action: "fail", error };
  }
  if (ctx.attempt < ctx.policy.requestMaxAttempts) {
    const reason = formatError ? `${status} with a body that is not JSON` : `${status} ${response.statusText}`.trim();
    return {
      action: "retry",
      delayMs: retryAfterMs ?? backoffDelayMs(ctx.attempt, ctx.policy, ctx.random),
      reason,
      status,
    };
  }
  if (formatError) return { action: "fail", error: formatError };
  if (response.ok || facts.returnErrors) return { action: "accept" };
  return { action: "fail", error: createHttpError(facts.failureDetails(), { retryAfterMs }, ctx.words) };
}
