import type { HttpResponse } from "../http/index.js";
import { buildUrl } from "../http/index.js";
import {
  cloneRequest,
  PageFault,
  type PageRequest,
  type Paginator,
  type PaginatorContext,
  resolveNextUrl,
} from "../rest/index.js";

function describeValue(v: unknown): string {
  if (v === undefined) return "missing";
  if (v === null) return "null";
  return Array.isArray(v) ? "an array" : `a ${typeof v}`;
}

/** The `page` a request asks for: its param, else the one in its URL (a followed `$next`). */
function pageOf(r: PageRequest): string | undefined {
  const own = r.params.page;
  if (typeof own === "string" || typeof own === "number") return String(own);
  return new URL(r.url).searchParams.get("page") ?? undefined;
}

/**
 * Sage's list envelope. `$next` (a path under the `/v3.1` base) is the truth: paging ends only
 * when it is null, never on an empty page (past the end Sage repeats the last page) and never
 * on `$total`, which is a hint (the caller compares it with what arrived). Once the first page
 * tells `$total`, the other pages are planned so they can be fetched concurrently; the page loop
 * checks each against `$next` and goes on past the plan when `$next` says so. A page whose
 * envelope has no `$items` array is a fault (fetched again, then the resource fails), not an
 * empty page. Accepts both `$itemsPerPage` and `/businesses`' `$items_per_page`.
 */
export class SagePaginator implements Paginator {
  readonly type = "sage";
  readonly strict = true;
  private baseUrl = "";
  private nextLink: string | null | undefined;
  private total: number | undefined;
  private perPage: number;

  constructor(private readonly itemsPerPage: number) {
    this.perPage = itemsPerPage;
  }

  init(request: PageRequest, context: PaginatorContext): void {
    this.baseUrl = context.baseUrl;
    this.nextLink = undefined;
    this.total = undefined;
    this.perPage = this.itemsPerPage;
    request.params.page = 1;
    request.params.items_per_page = this.itemsPerPage;
  }

  validate(_response: HttpResponse, body: unknown): void {
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new PageFault(`the answer is ${describeValue(body)}, not Sage's list envelope ({"$items": [...], "$next": ...})`);
    }
    const envelope = body as Record<string, unknown>;
    if (!Array.isArray(envelope.$items)) {
      throw new PageFault(`the list envelope's $items is ${describeValue(envelope.$items)}, not an array of items`);
    }
    const next = envelope.$next;
    if (next !== undefined && next !== null && typeof next !== "string") {
      throw new PageFault(`the list envelope's $next is ${describeValue(next)}, not a link or null`);
    }
  }

  update(response: HttpResponse, _items: unknown[]): void {
    const body = response.json() as Record<string, unknown>;
    const total = Number(body.$total);
    if (this.total === undefined && body.$total !== undefined && Number.isFinite(total)) this.total = total;
    const per = Number(body.$itemsPerPage ?? body.$items_per_page);
    if (Number.isFinite(per) && per > 0) this.perPage = per;
    this.nextLink = typeof body.$next === "string" && body.$next !== "" ? body.$next : null;
  }

  next(request: PageRequest): PageRequest | undefined {
    if (!this.nextLink) return undefined;
    const out = cloneRequest(request);
    out.url = resolveNextUrl(this.nextLink, buildUrl(request.url, request.params).toString(), this.baseUrl);
    out.params = {};
    return out;
  }

  remaining(request: PageRequest): Iterable<PageRequest> | undefined {
    if (this.total === undefined || !this.nextLink) return undefined;
    const pages = Math.ceil(this.total / this.perPage);
    const out: PageRequest[] = [];
    for (let page = 2; page <= pages; page++) {
      const r = cloneRequest(request);
      r.params.page = page;
      r.params.items_per_page = this.perPage;
      out.push(r);
    }
    return out;
  }

  /** `$next` of page k names page k + 1 of the same list: the planned request is that page. */
  matches(wanted: PageRequest, planned: PageRequest): boolean {
    return new URL(wanted.url).pathname === new URL(planned.url).pathname && pageOf(wanted) === pageOf(planned);
  }

  describe(): string {
    return `sage($next, items_per_page=${this.itemsPerPage})`;
  }
}
