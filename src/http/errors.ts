import { type ErrorKind, PipelineError, type PipelineErrorOptions } from "../util/errors.js";
import { scrub } from "../util/redact.js";
import { redactBody, scrubValues } from "./redact-body.js";

/** What every HTTP error carries. `url` is always redacted; `bodyExcerpt` is scrubbed and short. */
export interface HttpErrorDetails {
  method: string;
  url: string;
  status?: number;
  statusText?: string;
  bodyExcerpt?: string;
  /** How many attempts were made before giving up. */
  attempts?: number;
  /** Who asked, e.g. `resource contacts`: prefixed to the message. */
  label?: string;
}

/** Bodies in errors are excerpts: enough to recognise an API's error message, never a whole page. */
export const BODY_EXCERPT_LENGTH = 500;

/**
 * Redacts (JSON keys, form fields, registered secrets, and `requestSecrets`: what the request
 * itself carried under secret names, which a hostile API may echo) and shortens a response body.
 */
export function bodyExcerpt(
  body: string | undefined,
  contentType?: string | null,
  requestSecrets: readonly string[] = [],
): string | undefined {
  if (!body) return undefined;
  const redacted = scrubValues(redactBody(body, contentType), requestSecrets).replace(/\s+/g, " ").trim();
  return redacted.length > BODY_EXCERPT_LENGTH ? `${redacted.slice(0, BODY_EXCERPT_LENGTH)}… (truncated)` : redacted;
}

/**
 * What a status means for running again: 408, 429 and 5xx are the server's state of the moment
 * (transient); every other 4xx says the request, the credentials or the configuration are wrong
 * (terminal). 1xx-3xx never become errors on their own; call them transient.
 */
export function kindOfStatus(status: number): ErrorKind {
  return status >= 400 && status < 500 && status !== 408 && status !== 429 ? "terminal" : "transient";
}

/**
 * The base of the taxonomy. Callers branch with `instanceof`; the message already says what
 * was requested, what came back and (in `hint`) what to do. Its kind comes from the status when
 * there is one (see kindOfStatus), else from the class or the cause (a network error's code).
 */
export class HttpError extends PipelineError {
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly bodyExcerpt: string | undefined;
  readonly attempts: number | undefined;

  constructor(details: HttpErrorDetails, message: string, options?: PipelineErrorOptions) {
    const where = details.label ? `${details.label}: ` : "";
    const body = details.bodyExcerpt ? `\n  response body: ${details.bodyExcerpt}` : "";
    const kind =
      options?.kind ?? (details.status !== undefined && details.status >= 400 ? kindOfStatus(details.status) : undefined);
    super(`${where}${details.method} ${details.url} ${message}${body}`, { ...options, ...(kind ? { kind } : {}) });
    this.method = details.method;
    this.url = scrub(details.url);
    this.status = details.status;
    this.bodyExcerpt = details.bodyExcerpt;
    this.attempts = details.attempts;
  }
}

/** 401: the credentials were refused (after one refresh, for refreshing auths). */
export class AuthenticationError extends HttpError {}
/** 403: authenticated, but not allowed to see this. */
export class PermissionDeniedError extends HttpError {}
/** 404: the path or the entity does not exist. */
export class NotFoundError extends HttpError {}
/** 429: throttled; `retryAfterMs` is what the API asked for, when it said. */
export class RateLimitError extends HttpError {
  readonly retryAfterMs: number | undefined;
  constructor(details: HttpErrorDetails, message: string, options?: PipelineErrorOptions & { retryAfterMs?: number }) {
    super(details, message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}
/** 5xx: the server failed, still after retries. */
export class ServerError extends HttpError {}
/**
 * No usable response: refused, reset, timed out or cut off mid-body. Its kind is its cause's
 * code: a name that does not resolve or a certificate that does not fit is terminal, the rest
 * transient.
 */
export class ConnectionError extends HttpError {}
/**
 * A response arrived but its body is not the JSON it should be (an HTML error page with a 200,
 * a body cut short): a proxy or a server in trouble, so transient and retried (an error status,
 * when there is one, still decides the kind).
 */
export class ResponseFormatError extends HttpError {
  static override readonly declaredKind: ErrorKind = "transient";
}
/** The limiter's daily budget for a host is spent; nothing was sent. Transient: tomorrow it works. */
export class BudgetExceededError extends HttpError {
  static override readonly declaredKind: ErrorKind = "transient";
}

/**
 * How the caller's configuration names what a hint tells the user to check, so that a Sage run
 * says `base_url in [sources.sage_accounting_source]` where a REST source says `client.baseUrl`.
 */
export interface HintWords {
  /** Where the API's base URL is set. */
  baseUrl: string;
  /** Where the request rate and concurrency are set. */
  limiter: string;
  /** What to check when the API rejects a request as malformed (400, 422...). */
  request: string;
  /** What to check on a 404. */
  notFound: string;
}

/** The REST source's words (its config is `client.*` and `endpoint.*`). */
export const REST_HINT_WORDS: Readonly<HintWords> = Object.freeze({
  baseUrl: "client.baseUrl",
  limiter: "client.limiter (maxConcurrency, requestsPerSecond, requestsPerMinute)",
  request: "endpoint.params, json and data against the API's documentation",
  notFound:
    'check endpoint.path and client.baseUrl; for child resources whose parent may point at a missing entity add responseActions: [{ statusCode: 404, action: "ignore" }]',
});

function statusLine(status: number, statusText?: string): string {
  return statusText ? `${status} ${statusText}` : String(status);
}

function attemptsNote(attempts?: number): string {
  return attempts && attempts > 1 ? ` (after ${attempts} attempts)` : "";
}

/**
 * The one place a status code becomes an error class, with a hint that fits it. Everything the
 * HTTP layer throws for a status goes through here.
 */
export function createHttpError(
  details: HttpErrorDetails & { status: number },
  extra: { retryAfterMs?: number; reason?: string; cause?: unknown } = {},
  words: HintWords = REST_HINT_WORDS,
): HttpError {
  const { status } = details;
  const msg = `failed: ${statusLine(status, details.statusText)}${attemptsNote(details.attempts)}${extra.reason ? `; ${extra.reason}` : ""}`;
  const opts = { cause: extra.cause };
  if (status === 401) {
    return new AuthenticationError(details, msg, {
      ...opts,
      hint: "the API refused the credentials: check the token, API key or client secret (for OAuth, re-authorize to get a new refresh token)",
    });
  }
  if (status === 403) {
    return new PermissionDeniedError(details, msg, {
      ...opts,
      hint: "the credentials are valid but lack access to this endpoint: check the user's role or the token's scope",
    });
  }
  if (status === 404) {
    return new NotFoundError(details, msg, {
      ...opts,
      hint: words.notFound,
    });
  }
  if (status === 429) {
    return new RateLimitError(details, msg, {
      ...opts,
      retryAfterMs: extra.retryAfterMs,
      hint: `the API throttled the requests: lower ${words.limiter} or raise runtime.request_max_retry_delay`,
    });
  }
  if (status >= 500) {
    return new ServerError(details, msg, {
      ...opts,
      hint: "the server kept failing: try again later, or raise runtime.request_max_attempts",
    });
  }
  return new HttpError(details, msg, {
    ...opts,
    hint:
      status === 408
        ? "the server timed out waiting for the request: raise runtime.request_timeout or retry later"
        : `the API rejected the request: check ${words.request}`,
  });
}

/** Short description of a network-level failure for messages: `ECONNRESET other side closed`. */
export function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return scrub(String(err));
  const cause = err.cause as { code?: string; message?: string } | undefined;
  const parts = [err.message];
  if (cause?.code) parts.push(cause.code);
  if (cause?.message && cause.message !== err.message) parts.push(cause.message);
  return scrub(parts.join(": "));
}
