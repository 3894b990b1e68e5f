import { setTimeout as delay } from "node:timers/promises";
import {
  backoffDelayMs,
  buildUrl,
  parseJsonBody,
  ResponseFormatError,
  type HttpClient,
  type HttpResponse,
  type RequestAuth,
  type ResponseVerdict,
} from "../http/index.js";
import type { Logger } from "../util/logger.js";
import { redactUrl } from "../util/redact.js";
import { PageFault } from "./page-fault.js";
import { keysOf } from "./paginators/has-more.js";
import type { PageRequest, Paginator } from "./paginators/types.js";
import { detectDataSelector, selectItems } from "./selector.js";

/** A page as fetched: the request, its response, the parsed body and the items selected from it. */
export interface FetchedPage {
  request: PageRequest;
  response: HttpResponse;
  body: unknown;
  items: unknown[];
}

export interface PageFetcherOptions {
  http: HttpClient;
  auth: RequestAuth | undefined;
  onResponse: ((response: HttpResponse) => ResponseVerdict | Promise<ResponseVerdict>) | undefined;
  /** `resource contacts, business "Acme" (b1)`: starts every message. */
  label: string;
  log: Logger;
  signal: AbortSignal;
  /** The data selector; undefined: detected from the first response. */
  dataSelector: string | undefined;
  /** Strict: a selector that matches nothing is a fault, not a warning. */
  strict: boolean;
  /** Warn-once memory shared by the run. */
  once: (level: "warn" | "info", key: string, message: string) => void;
}

/** `GET https://host/path?query` with secrets redacted, for messages. */
export function describeRequest(r: PageRequest): string {
  return `${r.method} ${redactUrl(buildUrl(r.url, r.params).toString())}`;
}

/**
 * Fetches one page: the request through the HTTP client (which owns every retry of transport,
 * status and body-format failures), the data selector, and the paginator's own check of the
 * envelope. `fetchChecked` fetches again on a PageFault, with the client's backoff, up to the
 * client's `request_max_attempts`.
 */
export class PageFetcher {
  constructor(private readonly o: PageFetcherOptions) {}

  get selector(): string | undefined {
    return this.o.dataSelector;
  }

  get maxAttempts(): number {
    return Math.max(1, this.o.http.retryPolicy.requestMaxAttempts);
  }

  /** One attempt; undefined when a response action said `ignore`. */
  async fetch(request: PageRequest, paginator: Paginator | undefined, signal?: AbortSignal): Promise<FetchedPage | undefined> {
    const response = await this.o.http.request({
      method: request.method,
      url: request.url,
      params: request.params,
      headers: request.headers,
      json: request.json,
      data: request.data,
      auth: this.o.auth,
      signal: signal ?? this.o.signal,
      label: this.o.label,
      onResponse: this.o.onResponse,
    });
    if (response.ignored) return undefined;
    let body: unknown;
    try {
      body = response.json();
    } catch (err) {
      // A 2xx whose body ended cleanly but is not JSON (cut short, a web page): an incomplete page.
      if (err instanceof ResponseFormatError) throw new PageFault(err.message, { cause: err, hint: err.hint });
      throw err;
    }
    paginator?.validate?.(response, body);
    if (this.o.dataSelector === undefined) {
      this.o.dataSelector = detectDataSelector(body);
      this.o.once("info", "selector", `${this.o.label}: auto-detected dataSelector ${this.o.dataSelector}`);
    }
    const { items, matched } = selectItems(body, this.o.dataSelector);
    if (!matched) {
      const message = `dataSelector ${this.o.dataSelector} matched nothing in the response (${keysOf(body)})`;
      if (this.o.strict) throw new PageFault(message);
      this.o.once("warn", "selector-miss", `${this.o.label}: ${message}; fix endpoint.dataSelector`);
    }
    return { request, response, body, items };
  }

  /** The items of `page` as its response first gave them (parsed again: the resource may have changed them since). */
  pristineItems(page: FetchedPage): unknown[] {
    const body = parseJsonBody(page.response.text);
    return selectItems(body, this.o.dataSelector ?? detectDataSelector(body)).items;
  }

  /** `fetch`, again after a PageFault (also one `accept` raises), until it holds or the attempts are spent. */
  async fetchChecked(
    request: PageRequest,
    paginator: Paginator | undefined,
    accept: (page: FetchedPage) => void = () => undefined,
    signal?: AbortSignal,
  ): Promise<FetchedPage | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const page = await this.fetch(request, paginator, signal);
        if (page) accept(page);
        return page;
      } catch (err) {
        if (!(err instanceof PageFault)) throw err;
        if (attempt >= this.maxAttempts) throw this.exhausted(request, err, attempt);
        const wait = backoffDelayMs(attempt, this.o.http.retryPolicy);
        this.o.log.warn(
          `${this.o.label}: ${describeRequest(request)}: ${err.message}; fetching it again in ${wait} ms (attempt ${attempt + 1} of ${this.maxAttempts})`,
        );
        await delay(wait, undefined, { signal: signal ?? this.o.signal });
      }
    }
  }

  private exhausted(request: PageRequest, fault: PageFault, attempts: number): PageFault {
    return new PageFault(
      `${this.o.label}: ${describeRequest(request)}: ${fault.message}${attempts > 1 ? ` (after ${attempts} attempts)` : ""}; the page is incomplete, so the resource is too`,
      {
        cause: fault,
        hint:
          fault.hint ??
          "the API sent an incomplete page: run again later (nothing after the last complete read is skipped); if it persists, report it with the request above",
      },
    );
  }
}
