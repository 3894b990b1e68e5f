import { setMaxListeners } from "node:events";
import type { HttpClient, HttpResponse, RequestAuth, ResponseVerdict } from "../http/index.js";
import type { Logger } from "../util/logger.js";
import { type FetchedPage, PageFetcher } from "./page-fetcher.js";
import { type LoopContext, PageSequence, parallelWindow, sequentialPages } from "./page-loops.js";
import { detectPaginator, type Detection } from "./paginators/detect.js";
import { keysOf } from "./paginators/has-more.js";
import { createPaginator } from "./paginators/registry.js";
import { cloneRequest, type PageRequest, type Paginator } from "./paginators/types.js";
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
  /**
   * A page is complete or the run fails: a repeated page is fetched again and a selector that
   * matches nothing is a fault, instead of ending the list with a warning. Default: the
   * paginator's `strict` (Sage's), else false.
   */
  strict?: boolean;
  /** Yield pages without items too (a caller that reads the envelope of every page, e.g. a total). Default false. */
  emptyPages?: boolean;
}

export interface Page {
  items: unknown[];
  response: HttpResponse;
  request: PageRequest;
}

function toPage(p: FetchedPage): Page {
  return { items: p.items, response: p.response, request: p.request };
}

/** Say which paginator the first response suggested, and warn when that is a guess. */
function reportDetection(
  o: PaginateOptions,
  once: LoopContext["once"],
  d: Detection,
  page: FetchedPage,
  selector: string | undefined,
) {
  const chosen = d.paginator.describe();
  const label = o.label;
  if (d.paginator.type === "single_page") {
    const looksLikeList = Array.isArray(page.body) || (selector !== "$" && page.items.length > 0);
    if (looksLikeList) {
      once(
        "warn",
        "fallback",
        `${label}: no paginator is configured and none was recognised in the first response (${d.evidence}; ${keysOf(page.body)}), so the chosen paginator is single_page and only this first page (${page.items.length} items) is loaded. If the API pages, set endpoint.paginator (e.g. { type: "json_link", nextUrlPath: "..." }); if it does not, set paginator: "single_page" to silence this warning`,
      );
    } else once("info", "detected", `${label}: using paginator single_page (${d.evidence})`);
  } else if (!d.confident) {
    once(
      "warn",
      "guess",
      `${label}: auto-detected paginator ${chosen} from ${d.evidence}; verify it and set endpoint.paginator explicitly`,
    );
  } else once("info", "detected", `${label}: auto-detected paginator ${chosen} from ${d.evidence}`);
}

/**
 * dlt's `RESTClient.paginate`: the first page (detecting the paginator and data selector when
 * they are not configured), then either the pages the paginator planned from a total, fetched
 * concurrently and yielded in order while the protocol agrees (`parallelWindow`), or one page
 * after the other (`sequentialPages`), which also takes over when the plan and the protocol
 * part. Loop guards stop APIs that never end; strict runs fail instead of stopping short. Empty
 * pages are not yielded.
 */
export async function* paginate(o: PaginateOptions): AsyncGenerator<Page> {
  const notes = o.notes ?? new Set<string>();
  const once: LoopContext["once"] = (level, key, message) => {
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
  let configured: Paginator | undefined = createPaginator(o.paginator);
  const fetcher = new PageFetcher({
    http: o.http,
    auth: o.auth,
    onResponse: o.onResponse,
    label: o.label,
    log: o.log,
    signal: controller.signal,
    dataSelector: o.dataSelector,
    strict: o.strict ?? configured?.strict ?? false,
    once,
  });

  try {
    const request = cloneRequest(o.request);
    configured?.init(request, context);
    const first = await fetcher.fetchChecked(request, configured);
    if (!first) return;
    if (!configured) {
      const d = detectPaginator(first.response, first.body);
      configured = d.paginator;
      configured.init(cloneRequest(request), context);
      reportDetection(o, once, d, first, fetcher.selector);
    }
    const paginator = configured;
    const loop: LoopContext = {
      fetcher,
      paginator,
      strict: o.strict ?? paginator.strict ?? false,
      emptyPages: o.emptyPages ?? false,
      label: o.label,
      once,
      stopped: () => o.shouldStop?.() === true || controller.signal.aborted,
      signal: controller.signal,
    };
    const seq = new PageSequence(loop);
    if (!seq.take(first)) return;
    if (first.items.length > 0 || o.emptyPages) yield toPage(first);
    if (loop.stopped()) return;
    const window = o.parallelWindow ?? o.http.limiters.maxConcurrency * 2;
    const planned = window > 1 ? paginator.remaining?.(first.request) : undefined;
    let next: PageRequest | undefined;
    if (planned) {
      const pages = parallelWindow(loop, seq, first, planned, window);
      try {
        for (;;) {
          const step = await pages.next();
          if (step.done) {
            next = step.value;
            break;
          }
          yield toPage(step.value);
        }
      } finally {
        await pages.return(undefined);
      }
    } else next = paginator.next(first.request);
    for await (const page of sequentialPages(loop, seq, next)) yield toPage(page);
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    // Stops requests still in flight when the consumer stopped early (a limit, an error elsewhere).
    controller.abort();
  }
}
