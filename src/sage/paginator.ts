import type { HttpResponse } from "../http/index.js";
import { cloneRequest, type PageRequest, type Paginator, type PaginatorContext } from "../rest/index.js";
import { resolveNextUrl } from "../rest/index.js";
import { buildUrl } from "../http/index.js";

/**
 * Sage's list envelope: follow `$next` (a path under the `/v3.1` base), stop when it is null or
 * when `$total` items have arrived, never on an empty page (past the end Sage repeats the last
 * page). Once the first page tells `$total`, the other pages are planned up front so they can be
 * fetched concurrently. Accepts both `$itemsPerPage` and `/businesses`' `$items_per_page`.
 */
export class SagePaginator implements Paginator {
  readonly type = "sage";
  private baseUrl = "";
  private nextLink: string | null | undefined;
  private total: number | undefined;
  private perPage: number;
  private received = 0;

  constructor(private readonly itemsPerPage: number) {
    this.perPage = itemsPerPage;
  }

  init(request: PageRequest, context: PaginatorContext): void {
    this.baseUrl = context.baseUrl;
    this.nextLink = undefined;
    this.total = undefined;
    this.received = 0;
    request.params.page = 1;
    request.params.items_per_page = this.itemsPerPage;
  }

  update(response: HttpResponse, items: unknown[]): void {
    const body = response.json() as Record<string, unknown>;
    const total = Number(body.$total);
    if (Number.isFinite(total)) this.total = total;
    const per = Number(body.$itemsPerPage ?? body.$items_per_page);
    if (Number.isFinite(per) && per > 0) this.perPage = per;
    this.nextLink = typeof body.$next === "string" && body.$next !== "" ? body.$next : null;
    this.received += items.length;
  }

  next(request: PageRequest): PageRequest | undefined {
    if (!this.nextLink) return undefined;
    if (this.total !== undefined && this.received >= this.total) return undefined;
    const out = cloneRequest(request);
    out.url = resolveNextUrl(this.nextLink, buildUrl(request.url, request.params).toString(), this.baseUrl);
    out.params = {};
    return out;
  }

  remaining(request: PageRequest): Iterable<PageRequest> | undefined {
    if (this.total === undefined || !this.nextLink || this.received >= this.total) return undefined;
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

  describe(): string {
    return `sage($next/$total, items_per_page=${this.itemsPerPage})`;
  }
}
