import type { ConfigResolver } from "../config/index.js";
import { logger, type Logger } from "../util/logger.js";
import { isSensitiveKey, redactHeaders, redactUrl } from "../util/redact.js";
import {
  bodyExcerpt,
  BudgetExceededError,
  ConnectionError,
  createHttpError,
  describeNetworkError,
  type HttpErrorDetails,
} from "./errors.js";
import { emitRequestEvent, type RequestEvent, type RequestEventListener } from "./events.js";
import { BudgetSpent, type LimiterOptions, LimiterRegistry, type LimiterTicket } from "./limiter.js";
import { describeBody } from "./redact-body.js";
import {
  buildUrl,
  encodeBody,
  hasHeader,
  type HttpRequester,
  type HttpRequestInit,
  type OutgoingRequest,
} from "./request-init.js";
import { HttpResponse } from "./response.js";
import { backoffDelayMs, formatDuration, isRetryableStatus, parseRetryAfter, type RetryPolicy, sleep } from "./retry.js";
import { resolveRetryPolicy } from "./runtime-config.js";

export interface HttpClientOptions {
  /** Explicit retry settings; missing ones come from `[runtime]` config, then dlt's defaults. */
  retry?: Partial<RetryPolicy>;
  /** Where `[runtime]` is read from (default: `.dlt/` in the working directory and env). */
  resolver?: ConfigResolver;
  /** Per-host limits for every host this client talks to. */
  limiter?: LimiterOptions;
  /** Sees every request event (redacted). */
  onEvent?: RequestEventListener;
  /** Sent with every request unless the request sets the same header. */
  headers?: Record<string, string>;
  /** Extra retry rule for responses that look fine but are not (200 with an error body). */
  retryCondition?: (response: HttpResponse) => boolean;
  /** For tests: jitter source in [0, 1). */
  random?: () => number;
  log?: Logger;
}

const USER_AGENT = "sage-accounting-pipeline/0.1";
let nextId = 1;

/** Values this request sends under secret names (query, headers, body keys), to keep them out of error excerpts. */
function requestSecrets(req: OutgoingRequest, init: HttpRequestInit): string[] {
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

class RetryableFailure {
  constructor(
    readonly reason: string,
    readonly error: ConnectionError,
  ) {}
}

/**
 * fetch with retries, backoff with full jitter, Retry-After, per-host limits, auth refresh on
 * 401 and redaction of everything it logs, reports or throws. One client per source: its
 * limiters are shared by all of that source's resources.
 */
export class HttpClient implements HttpRequester {
  readonly limiters: LimiterRegistry;
  private policy: RetryPolicy | undefined;
  private readonly log: Logger;

  constructor(private readonly options: HttpClientOptions = {}) {
    this.log = options.log ?? logger("http");
    this.limiters = new LimiterRegistry(options.limiter, (stats, reason) => {
      this.emit({ type: "limiter", host: stats.host, reason, stats });
    });
  }

  /** The retry policy in force (resolved from config on first use). */
  get retryPolicy(): RetryPolicy {
    this.policy ??= resolveRetryPolicy(this.options.resolver, this.options.retry);
    return this.policy;
  }

  private emit(event: RequestEvent): void {
    emitRequestEvent(event, this.options.onEvent);
  }

  async request(init: HttpRequestInit): Promise<HttpResponse> {
    const policy = this.retryPolicy;
    const method = (init.method ?? "GET").toUpperCase();
    const id = nextId++;
    const label = init.label;
    const { body, contentType } = encodeBody(init);
    let authRetried = false;

    for (let attempt = 1; ; attempt++) {
      // Lower-cased so `Accept` from the caller replaces the default `accept` instead of joining it.
      const headers: Record<string, string> = {};
      for (const h of [{ "user-agent": USER_AGENT, accept: "application/json" }, this.options.headers, init.headers]) {
        for (const [k, v] of Object.entries(h ?? {})) headers[k.toLowerCase()] = v;
      }
      if (contentType && !hasHeader(headers, "content-type")) headers["content-type"] = contentType;
      const outgoing: OutgoingRequest = { method, url: buildUrl(init.url, init.params), headers };
      if (init.auth) await init.auth.apply(outgoing, this);
      const redacted = redactUrl(outgoing.url.toString());
      const details: HttpErrorDetails = { method, url: redacted, label, attempts: attempt };

      const limiter = this.limiters.forHost(outgoing.url.host);
      const queuedAt = Date.now();
      let ticket: LimiterTicket;
      try {
        ticket = await limiter.acquire(init.signal);
      } catch (err) {
        if (err instanceof BudgetSpent) {
          throw new BudgetExceededError(details, `not sent: ${err.message}`, {
            hint: "raise client.limiter.dailyBudget, or run again tomorrow (UTC)",
          });
        }
        throw err;
      }

      this.emit({
        type: "request",
        id,
        method,
        url: redacted,
        headers: redactHeaders(outgoing.headers),
        attempt,
        startedAt: ticket.startedAt,
        queuedMs: ticket.startedAt - queuedAt,
        label,
      });
      this.log.info(`${method} ${redacted}${attempt > 1 ? ` (attempt ${attempt})` : ""}`);
      if (body !== undefined)
        this.log.debug(
          `${method} ${redacted} headers ${JSON.stringify(redactHeaders(outgoing.headers))} body ${describeBody(init.json ?? init.data)}`,
        );
      else this.log.debug(`${method} ${redacted} headers ${JSON.stringify(redactHeaders(outgoing.headers))}`);

      let response: HttpResponse;
      try {
        response = await this.send(outgoing, body, policy, init.signal, details);
      } catch (err) {
        ticket.release(); // now, not in `finally`: the slot must be free while this request backs off
        if (!(err instanceof RetryableFailure)) throw err;
        if (attempt >= policy.requestMaxAttempts) {
          this.emit({
            type: "error",
            id,
            method,
            url: redacted,
            attempt,
            errorName: err.error.name,
            message: err.error.message,
            label,
          });
          throw err.error;
        }
        await this.wait(id, details, attempt, backoffDelayMs(attempt, policy, this.options.random), err.reason, init.signal);
        continue;
      } finally {
        ticket.release();
      }
      const secrets = requestSecrets(outgoing, init);
      response.setRequestSecrets(secrets);
      limiter.onResponse(ticket, response.status);
      this.emit({
        type: "response",
        id,
        method,
        url: redacted,
        status: response.status,
        attempt,
        durationMs: Date.now() - ticket.startedAt,
        bytes: response.text.length,
        label,
      });
      this.log.debug(`${method} ${redacted} → ${response.status} (${response.text.length} bytes)`);

      if (init.onResponse) {
        const verdict = await init.onResponse(response);
        if (verdict === "ignore") {
          response.ignored = true;
          return response;
        }
        if (verdict) response = verdict;
      }

      const status = response.status;
      response.setRequestSecrets(secrets);
      // Built only when failing: redacting a large page on every success would cost a parse per page.
      const final = response;
      const errDetails = () => ({
        ...details,
        status,
        statusText: final.statusText,
        bodyExcerpt: bodyExcerpt(final.text, final.headers.get("content-type"), secrets),
      });
      if (status === 401 && init.auth?.onUnauthorized && !authRetried) {
        authRetried = true;
        if (await init.auth.onUnauthorized(outgoing, this)) {
          attempt--; // a refreshed credential is a new request, not a retry
          continue;
        }
      }
      const retryable = isRetryableStatus(status) || (response.ok && this.options.retryCondition?.(response) === true);
      if (retryable) {
        const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
        if (retryAfterMs !== undefined) {
          if (status === 429) limiter.pauseUntil(Date.now() + retryAfterMs);
          if (retryAfterMs > policy.requestMaxRetryDelay * 1000) {
            const error = createHttpError(errDetails(), {
              retryAfterMs,
              reason: `the API asked to wait ${formatDuration(retryAfterMs)} (Retry-After: ${response.headers.get("retry-after")}), longer than runtime.request_max_retry_delay (${policy.requestMaxRetryDelay} s)`,
            });
            this.emit({
              type: "error",
              id,
              method,
              url: redacted,
              attempt,
              status,
              errorName: error.name,
              message: error.message,
              label,
            });
            throw error;
          }
        }
        if (attempt < policy.requestMaxAttempts) {
          const delay = retryAfterMs ?? backoffDelayMs(attempt, policy, this.options.random);
          await this.wait(id, details, attempt, delay, `${status} ${response.statusText}`.trim(), init.signal, status);
          continue;
        }
        if (response.ok || init.returnErrors) return response;
        const error = createHttpError(errDetails(), { retryAfterMs });
        this.emit({
          type: "error",
          id,
          method,
          url: redacted,
          attempt,
          status,
          errorName: error.name,
          message: error.message,
          label,
        });
        throw error;
      }
      if (!response.ok && !init.returnErrors) {
        const error = createHttpError(errDetails());
        this.emit({
          type: "error",
          id,
          method,
          url: redacted,
          attempt,
          status,
          errorName: error.name,
          message: error.message,
          label,
        });
        throw error;
      }
      return response;
    }
  }

  private async wait(
    id: number,
    d: HttpErrorDetails,
    attempt: number,
    delayMs: number,
    reason: string,
    signal?: AbortSignal,
    status?: number,
  ): Promise<void> {
    const max = this.retryPolicy.requestMaxAttempts;
    this.emit({ type: "retry", id, method: d.method, url: d.url, attempt, delayMs, reason, status, label: d.label });
    this.log.warn(
      `${d.label ? `${d.label}: ` : ""}${d.method} ${d.url}: ${reason}; retrying in ${formatDuration(delayMs)} (attempt ${attempt + 1} of ${max})`,
    );
    await sleep(delayMs, signal);
  }

  /** One attempt: fetch and read the whole body, under the per-attempt timeout. */
  private async send(
    req: OutgoingRequest,
    body: string | Uint8Array | undefined,
    policy: RetryPolicy,
    signal: AbortSignal | undefined,
    details: HttpErrorDetails,
  ): Promise<HttpResponse> {
    const timeoutMs = policy.requestTimeout * 1000;
    const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
    const combined = timeout && signal ? AbortSignal.any([signal, timeout]) : (timeout ?? signal);
    try {
      const res = await fetch(req.url, { method: req.method, headers: req.headers, body, signal: combined, redirect: "follow" });
      const text = await res.text();
      return new HttpResponse(res.status, res.statusText, res.headers, res.url || req.url.toString(), text, {
        method: details.method,
        url: details.url,
        label: details.label,
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const timedOut = timeout?.aborted === true;
      const what = timedOut ? `timed out after ${formatDuration(timeoutMs)}` : `failed: ${describeNetworkError(err)}`;
      const error = new ConnectionError(
        details,
        `${what}${(details.attempts ?? 1) > 1 ? ` (after ${details.attempts} attempts)` : ""}`,
        {
          cause: err,
          hint: timedOut
            ? "the server did not answer in time: raise runtime.request_timeout or check the server"
            : "check the network and client.baseUrl; the connection was refused, reset or cut off mid-response",
        },
      );
      throw new RetryableFailure(timedOut ? "timed out" : describeNetworkError(err), error);
    }
  }
}
