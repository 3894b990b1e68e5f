import type { HttpResponse, QueryValue } from "../../http/index.js";

/** One page request as paginators see and change it. */
export interface PageRequest {
  method: string;
  url: string;
  params: Record<string, QueryValue>;
  headers: Record<string, string>;
  json?: unknown;
  data?: string | Record<string, string | number | boolean>;
}

export interface PaginatorContext {
  /** `client.baseUrl`: relative next links are joined under its path. */
  baseUrl: string;
}

/**
 * One pagination protocol. The page loop calls `init` on the first request, `update` with each
 * response and the items selected from it, then `next` for the following request (undefined when
 * done). A paginator instance lives for one `paginate` run: make a fresh one per run.
 */
export interface Paginator {
  readonly type: string;
  /** Put the first page's parameters on the request (mutates it). */
  init(request: PageRequest, context: PaginatorContext): void;
  update(response: HttpResponse, items: unknown[]): void;
  /**
   * Check a response's envelope before its items count (throw a PageFault when it is not what
   * the protocol promises: the page is fetched again, then fails the resource). Must not change
   * the paginator: pages fetched ahead are checked out of order.
   */
  validate?(response: HttpResponse, body: unknown): void;
  /**
   * True when the protocol's own signals are the truth (an explicit next link): a page that
   * repeats the previous one, or a data selector that matches nothing, is then a fault of the
   * API, not the end of the data.
   */
  readonly strict?: boolean;
  /**
   * Whether `wanted` (what `next` asks for after a page) is the page `planned` fetched ahead by
   * `remaining`. Default: the same request signature.
   */
  matches?(wanted: PageRequest, planned: PageRequest): boolean;
  next(request: PageRequest): PageRequest | undefined;
  /**
   * After the first page, when the total is known: every remaining request at once, so the
   * loop can fetch them concurrently. `update` is still called for each page, in order.
   */
  remaining?(request: PageRequest): Iterable<PageRequest> | undefined;
  /** `page_number(pageParam=page, totalPath=total_pages)`, for logs and warnings. */
  describe(): string;
}

export function cloneRequest(r: PageRequest): PageRequest {
  return {
    method: r.method,
    url: r.url,
    params: { ...r.params },
    headers: { ...r.headers },
    ...(r.json !== undefined ? { json: structuredClone(r.json) } : {}),
    ...(r.data !== undefined ? { data: typeof r.data === "string" ? r.data : { ...r.data } } : {}),
  };
}

/** Identity of a request, for the loop guard. */
export function requestSignature(r: PageRequest): string {
  const u = new URL(r.url);
  for (const [k, v] of Object.entries(r.params)) {
    if (v === null || v === undefined) continue;
    u.searchParams.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  u.searchParams.sort();
  return `${r.method} ${u.toString()} ${r.json === undefined ? "" : JSON.stringify(r.json)} ${r.data === undefined ? "" : JSON.stringify(r.data)}`;
}

/** Options rendered for `describe()`, skipping unset ones. */
export function describeOptions(type: string, options: Record<string, unknown>): string {
  const parts = Object.entries(options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return `${type}(${parts.join(", ")})`;
}
