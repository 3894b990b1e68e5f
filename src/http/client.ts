import type { ConfigResolver } from "../config/index.js";
import { logger, type Logger } from "../util/logger.js";
import { redactHeaders, redactUrl } from "../util/redact.js";
import { type Decision, decideAfterFailure, decideAfterResponse, type AttemptContext } from "./decide.js";
import { bodyExcerpt, BudgetExceededError, type HintWords, type HttpErrorDetails, REST_HINT_WORDS } from "./errors.js";
import { emitRequestEvent, type RequestEvent, type RequestEventListener } from "./events.js";
import { BudgetSpent, type HostLimiter, type LimiterOptions, LimiterRegistry, type LimiterTicket } from "./limiter.js";
import { describeBody } from "./redact-body.js";
import {
  buildUrl,
  encodeBody,
  hasHeader,
  type HttpRequester,
  type HttpRequestInit,
  type OutgoingRequest,
} from "./request-init.js";
import { requestSecrets } from "./request-secrets.js";
import { HttpResponse } from "./response.js";
import { formatDuration, parseRetryAfter, type RetryPolicy, sleep } from "./retry.js";
import { resolveRetryPolicy } from "./runtime-config.js";
import { type NetworkFailure, sendAttempt } from "./send.js";

export interface HttpClientOptions {
  /** Explicit retry settings; missing ones come from `[runtime]` config, then dlt's defaults. */
  retry?: Partial<RetryPolicy>;
  /** Where `[runtime]` is read from (without it: explicit values and the defaults only). */
  resolver?: ConfigResolver;
  /** Per-host limits for every host this client talks to. */
  limiter?: LimiterOptions;
  /** Sees every request event (redacted). */
  onEvent?: RequestEventListener;
  /** Sent with every request unless the request sets the same header. */
  headers?: Record<string, string>;
  /** Extra retry rule for responses that look fine but are not (200 with an error body). */
  retryCondition?: (response: HttpResponse) => boolean;
  /** How the caller's configuration names the base URL, the limiter and the request, for hints (default: the REST source's). */
  hintWords?: HintWords;
  /** For tests: jitter source in [0, 1). */
  random?: () => number;
  log?: Logger;
}

const USER_AGENT = "sage-accounting-pipeline/0.1";
let nextId = 1;

/** One call of `request()`: what stays the same over its attempts. */
interface RequestPlan {
  id: number;
  method: string;
  label: string | undefined;
  body: string | Uint8Array | undefined;
  contentType: string | undefined;
}

/** One attempt, built and cleared to go. */
interface Attempt {
  number: number;
  outgoing: OutgoingRequest;
  /** Redacted URL, for events, logs and errors. */
  url: string;
  details: HttpErrorDetails;
  limiter: HostLimiter;
  ticket: LimiterTicket;
}

/** A 2xx that asked for JSON must parse as JSON; an HTML page or a cut body is a format error (retried). */
function expectsJson(headers: Record<string, string>): boolean {
  return /json/i.test(headers.accept ?? "");
}

/**
 * fetch with retries, backoff with full jitter, Retry-After, request and stall timeouts, per-host
 * limits, auth refresh on 401 and redaction of everything it logs, reports or throws. One client
 * per source: its limiters are shared by all of that source's resources.
 *
 * Each attempt goes build (headers, URL, auth) → acquire (the host's limiter) → send (one fetch,
 * whole body) → decide (decide.ts: accept, retry or fail).
 */
export class HttpClient implements HttpRequester {
  readonly limiters: LimiterRegistry;
  private policy: RetryPolicy | undefined;
  private readonly log: Logger;
  /** Origins that have answered at least once: a refused connection to one of them is worth a retry. */
  private readonly answered = new Set<string>();

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
    const plan = this.plan(init);
    let authRetried = false;
    for (let number = 1; ; number++) {
      const outgoing = await this.build(init, plan);
      const attempt = await this.acquire(init, plan, outgoing, number);
      let result: HttpResponse | NetworkFailure;
      try {
        result = await sendAttempt(outgoing, plan.body, this.limits(), init.signal, {
          method: plan.method,
          url: attempt.url,
          ...(plan.label !== undefined ? { label: plan.label } : {}),
        });
      } finally {
        attempt.ticket.release(); // before any backoff: the slot must be free while this request waits
      }
      const ctx = this.context(attempt);
      if (!(result instanceof HttpResponse)) {
        if (result.answered) this.answered.add(outgoing.url.origin);
        const decision = decideAfterFailure(result, this.answered.has(outgoing.url.origin), ctx);
        await this.carryOut(decision, plan, attempt, init.signal);
        continue;
      }
      this.answered.add(outgoing.url.origin);
      let response = result;
      const secrets = requestSecrets(outgoing, init);
      response.setRequestSecrets(secrets);
      attempt.limiter.onResponse(attempt.ticket, response.status);
      this.emitResponse(plan, attempt, response);

      const formatError = response.ok && expectsJson(outgoing.headers) ? response.formatError(attempt.details) : undefined;
      if (!formatError && init.onResponse) {
        const verdict = await init.onResponse(response);
        if (verdict === "ignore") {
          response.ignored = true;
          return response;
        }
        if (verdict) response = verdict;
        response.setRequestSecrets(secrets);
      }
      if (response.status === 401 && init.auth?.onUnauthorized && !authRetried) {
        authRetried = true;
        if (await init.auth.onUnauthorized(outgoing, this)) {
          number--; // a refreshed credential is a new request, not a retry
          continue;
        }
      }
      const decision = this.decideOnResponse(response, formatError, init, ctx, attempt, secrets);
      if (decision.action === "accept") return response;
      await this.carryOut(decision, plan, attempt, init.signal);
    }
  }

  private plan(init: HttpRequestInit): RequestPlan {
    const { body, contentType } = encodeBody(init);
    return { id: nextId++, method: (init.method ?? "GET").toUpperCase(), label: init.label, body, contentType };
  }

  /** Build: headers (the caller's over the client's over the defaults), URL and credentials, fresh for every attempt. */
  private async build(init: HttpRequestInit, plan: RequestPlan): Promise<OutgoingRequest> {
    // Lower-cased so `Accept` from the caller replaces the default `accept` instead of joining it.
    const headers: Record<string, string> = {};
    for (const h of [{ "user-agent": USER_AGENT, accept: "application/json" }, this.options.headers, init.headers]) {
      for (const [k, v] of Object.entries(h ?? {})) headers[k.toLowerCase()] = v;
    }
    if (plan.contentType && !hasHeader(headers, "content-type")) headers["content-type"] = plan.contentType;
    const outgoing: OutgoingRequest = { method: plan.method, url: buildUrl(init.url, init.params), headers };
    if (init.auth) await init.auth.apply(outgoing, this);
    return outgoing;
  }

  /** Acquire: wait for the host's limiter (concurrency, rates, daily budget), then report the request. */
  private async acquire(init: HttpRequestInit, plan: RequestPlan, outgoing: OutgoingRequest, number: number): Promise<Attempt> {
    const url = redactUrl(outgoing.url.toString());
    const details: HttpErrorDetails = { method: plan.method, url, label: plan.label, attempts: number };
    const limiter = this.limiters.forHost(outgoing.url.host);
    const queuedAt = Date.now();
    let acquired: LimiterTicket;
    try {
      acquired = await limiter.acquire(init.signal);
    } catch (err) {
      if (err instanceof BudgetSpent) {
        throw new BudgetExceededError(details, `not sent: ${err.message}`, {
          hint: "raise client.limiter.dailyBudget, or run again tomorrow (UTC)",
        });
      }
      throw err;
    }
    const headers = redactHeaders(outgoing.headers);
    this.emit({
      type: "request",
      id: plan.id,
      method: plan.method,
      url,
      headers,
      attempt: number,
      startedAt: acquired.startedAt,
      queuedMs: acquired.startedAt - queuedAt,
      label: plan.label,
    });
    this.log.info(`${plan.method} ${url}${number > 1 ? ` (attempt ${number})` : ""}`);
    const bodyNote = plan.body !== undefined ? ` body ${describeBody(init.json ?? init.data)}` : "";
    this.log.debug(`${plan.method} ${url} headers ${JSON.stringify(headers)}${bodyNote}`);
    return { number, outgoing, url, details, limiter, ticket: acquired };
  }

  private limits() {
    const p = this.retryPolicy;
    return { requestTimeoutMs: p.requestTimeout * 1000, stallTimeoutMs: p.requestStallTimeout * 1000 };
  }

  private context(attempt: Attempt): AttemptContext {
    return {
      attempt: attempt.number,
      policy: this.retryPolicy,
      random: this.options.random ?? Math.random,
      words: this.options.hintWords ?? REST_HINT_WORDS,
      details: attempt.details,
    };
  }

  /**
   * Decide on a response from the facts the rules need. A Retry-After delays this request's retry;
   * it does not pause the host: the limiter's cut (AIMD) slows the others, and a pause of every
   * request for each 429 made 2% of requests throttled cost a multiple of the clean run.
   */
  private decideOnResponse(
    response: HttpResponse,
    formatError: ReturnType<HttpResponse["formatError"]>,
    init: HttpRequestInit,
    ctx: AttemptContext,
    attempt: Attempt,
    secrets: readonly string[],
  ): Decision {
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
    return decideAfterResponse(
      {
        response,
        formatError,
        rejectedByCondition: response.ok && !formatError && this.options.retryCondition?.(response) === true,
        retryAfterMs,
        returnErrors: init.returnErrors === true,
        // Built only when failing: redacting a large page on every success would cost a parse per page.
        failureDetails: () => ({
          ...attempt.details,
          status: response.status,
          statusText: response.statusText,
          bodyExcerpt: bodyExcerpt(response.text, response.headers.get("content-type"), secrets),
        }),
      },
      ctx,
    );
  }

  /** Retry (report, wait) or fail (report, throw); "accept" never gets here. */
  private async carryOut(decision: Decision, plan: RequestPlan, attempt: Attempt, signal?: AbortSignal): Promise<void> {
    const { method, label, id } = plan;
    if (decision.action === "fail") {
      const { error } = decision;
      this.emit({
        type: "error",
        id,
        method,
        url: attempt.url,
        attempt: attempt.number,
        ...(error.status !== undefined ? { status: error.status } : {}),
        errorName: error.name,
        message: error.message,
        label,
      });
      throw error;
    }
    if (decision.action !== "retry") return;
    const { delayMs, reason, status } = decision;
    const max = this.retryPolicy.requestMaxAttempts;
    this.emit({ type: "retry", id, method, url: attempt.url, attempt: attempt.number, delayMs, reason, status, label });
    this.log.warn(
      `${label ? `${label}: ` : ""}${method} ${attempt.url}: ${reason}; retrying in ${formatDuration(delayMs)} (attempt ${attempt.number + 1} of ${max})`,
    );
    await sleep(delayMs, signal);
  }

  private emitResponse(plan: RequestPlan, attempt: Attempt, response: HttpResponse): void {
    this.emit({
      type: "response",
      id: plan.id,
      method: plan.method,
      url: attempt.url,
      status: response.status,
      attempt: attempt.number,
      durationMs: Date.now() - attempt.ticket.startedAt,
      bytes: response.text.length,
      label: plan.label,
    });
    this.log.debug(`${plan.method} ${attempt.url} → ${response.status} (${response.text.length} bytes)`);
  }
}
