import { setMaxListeners } from "node:events";
import { createHash } from "node:crypto";
import {
  HttpError,
  type HttpClient,
  type HttpResponse,
  orderedParallel,
  type RequestAuth,
  type ResponseVerdict,
} from "../http/index.js";
import { DataError, PipelineError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import { redactUrl } from "../util/redact.js";
import { buildUrl } from "../http/index.js";
import { detectPaginator, type Detection } from "./paginators/detect.js";
import { keysOf } from "./paginators/has-more.js";
import { createPaginator } from "./paginators/registry.js";
import { cloneRequest, type PageRequest, type Paginator, requestSignature } from "./paginators/types.js";
import { detectDataSelector, selectItems } from "./selector.js";
import type { PaginatorConfig } from "./types.js";

export interface PaginateOptions {
  http: HttpClient;
  request: PageRequest;
  /** Undefined or "auto": detected from the first response. */
  paginator?: PaginatorConfig;
  /** Undefined: detected from the first response. */
  dataSelector?: string;
  auth?: RequestAuth;
  onResponse?: (response: HttpResponse) => ResponseVerdict | Promise<ResponseVerdict>;
  baseUrl: string;
  /** `resource contacts`: starts every message. */
  label: string;
  log: Logger;
  signal?: AbortSignal;
  /** Checked after each page: true stops paging (an incremental past its range). */
  shouldStop?: () => boolean;
  /** Requests started ahead when the remaining pages are known; 1 turns parallel pages off. Default: twice the limiter's concurrency. */
  parallelWindow?: number;
  /** Warn-once memory; share one per resource so child runs do not repeat warnings. */
  notes?: Set<string>;
}

export interface Page {
  items: unknown[];
  response: HttpResponse;
  request: PageRequest;
}

const hashItems = (items: unknown[]) => createHash("sha1").update(JSON.stringify(items)).digest("base64");

/**
 * dlt's `RESTClient.paginate`, with a loop guard: a next request that was already made, or a
 * page identical to the previous one (Sage answers past-the-end requests with the last page),
 * stops the run with a warning instead of looping forever. When the paginator knows the total
 * after the first page, the remaining pages are fetched concurrently and yielded in order.
 * Empty pages are not yielded.
 */
export async function* paginate(o: PaginateOptions): AsyncGenerator<Page> {
  const notes = o.notes ?? new Set<string>();
  const once = (level: "warn" | "info", key: string, message: string) => {
    if (notes.has(key)) return;
    notes.add(key);
    o.log[level](message);
  };
  const controller = new AbortController();
  // Parallel pages each wait on this signal (in the limiter queue too): many listeners are normal.
  setMaxListeners(0, controller.signal);
  const onAbort = () => {
    controller.abort(o.signal?.reason);
  };
  if (o.signal?.aborted) controller.abort(o.signal.reason);
  o.signal?.addEventListener("abort", onAbort, { once: true });
  const context = { baseUrl: o.baseUrl };
  let paginator: Paginator | undefined = createPaginator(o.paginator);
  let selector = o.dataSelector;

  const fetchPage = async (request: PageRequest) => {
    const response = await o.http.request({
      method: request.method,
      url: request.url,
      params: request.params,
      headers: request.headers,
      json: request.json,
      data: request.data,
      auth: o.auth,
      signal: controller.signal,
      label: o.label,
      onResponse: o.onResponse,
    });
    if (response.ignored) return undefined;
    const body = response.json();
    if (selector === undefined) {
      selector = detectDataSelector(body);
      once("info", "selector", `${o.label}: auto-detected dataSelector ${selector}`);
    }
    const { items, matched } = selectItems(body, selector);
    if (!matched)
      once(
        "warn",
        "selector-miss",
        `${o.label}: dataSelector ${selector} matched nothing in the response (${keysOf(body)}); fix endpoint.dataSelector`,
      );
    return { request, response, body, items };
  };

  const report = (d: Detection, body: unknown, items: unknown[]) => {
    const chosen = d.paginator.describe();
    if (d.paginator.type === "single_page") {
      const looksLikeList = Array.isArray(body) || (selector !== "$" && items.length > 0);
      if (looksLikeList) {
        once(
          "warn",
          "fallback",
          `${o.label}: no paginator is configured and none was recognised in the first response (${d.evidence}; ${keysOf(body)}), so the chosen paginator is single_page and only this first page (${items.length} items) is loaded. If the API pages, set endpoint.paginator (e.g. { type: "json_link", nextUrlPath: "..." }); if it does not, set paginator: "single_page" to silence this warning`,
        );
      } else once("info", "detected", `${o.label}: using paginator single_page (${d.evidence})`);
    } else if (!d.confident) {
      once(
        "warn",
        "guess",
        `${o.label}: auto-detected paginator ${chosen} from ${d.evidence}; verify it and set endpoint.paginator explicitly`,
      );
    } else once("info", "detected", `${o.label}: auto-detected paginator ${chosen} from ${d.evidence}`);
  };

  let previousHash: string | undefined;
  /** Update the paginator and decide whether this page is new; false means stop (a repeat). */
  const accept = (p: Paginator, page: { request: PageRequest; response: HttpResponse; items: unknown[] }): boolean => {
    try {
      p.update(page.response, page.items);
    } catch (err) {
      if (err instanceof PipelineError && !(err instanceof HttpError))
        throw new DataError(`${o.label}: ${err.message}`, { hint: err.hint, cause: err });
      throw err;
    }
    const hash = page.items.length > 0 ? hashItems(page.items) : undefined;
    if (hash !== undefined && hash === previousHash) {
      const url = redactUrl(buildUrl(page.request.url, page.request.params).toString());
      once(
        "warn",
        "repeat",
        `${o.label}: the page from ${page.request.method} ${url} is identical to the previous page, so paging stops here (${p.describe()}). APIs such as Sage return the last page again past the end; a totalPath/totalItemsPath or hasMorePath makes the stop explicit`,
      );
      return false;
    }
    previousHash = hash;
    return true;
  };

  try {
    let request = cloneRequest(o.request);
    paginator?.init(request, context);
    const seen = new Set<string>([requestSignature(request)]);
    let page = await fetchPage(request);
    if (!page) return;
    if (!paginator) {
      const d = detectPaginator(page.response, page.body);
      paginator = d.paginator;
      paginator.init(cloneRequest(request), context);
      report(d, page.body, page.items);
    }
    const p = paginator;
    for (let first = true; ; first = false) {
      if (!accept(p, page)) return;
      if (page.items.length > 0) yield { items: page.items, response: page.response, request: page.request };
      if (o.shouldStop?.() || controller.signal.aborted) return;
      const window = o.parallelWindow ?? o.http.limiters.maxConcurrency * 2;
      const rest = first && window > 1 ? p.remaining?.(page.request) : undefined;
      if (rest) {
        const tasks = (function* () {
          for (const r of rest) yield () => fetchPage(r);
        })();
        for await (const next of orderedParallel(tasks, window)) {
          if (!next || !accept(p, next)) return;
          if (next.items.length > 0) yield { items: next.items, response: next.response, request: next.request };
          if (o.shouldStop?.() || controller.signal.aborted || !p.next(next.request)) return;
        }
        return;
      }
      const nextRequest = p.next(page.request);
      if (!nextRequest) return;
      const signature = requestSignature(nextRequest);
      if (seen.has(signature)) {
        const url = redactUrl(buildUrl(nextRequest.url, nextRequest.params).toString());
        once(
          "warn",
          "loop",
          `${o.label}: ${p.describe()} asked again for ${nextRequest.method} ${url}, which was already fetched, so paging stops here to avoid an endless loop; check the paginator settings`,
        );
        return;
      }
      seen.add(signature);
      request = nextRequest;
      const fetched = await fetchPage(request);
      if (!fetched) return;
      page = fetched;
    }
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    // Stops requests still in flight when the consumer stopped early (a limit, an error elsewhere).
    controller.abort();
  }
}
