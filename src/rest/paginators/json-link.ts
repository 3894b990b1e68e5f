import { buildUrl, type HttpResponse } from "../../http/index.js";
import { findFirst } from "../../util/json-path.js";
import { resolveNextUrl } from "../url.js";
import { cloneRequest, describeOptions, type PageRequest, type Paginator, type PaginatorContext } from "./types.js";

/** The link found by a next-URL paginator, as a string, or undefined when there is none. */
export function linkValue(v: unknown): string | undefined {
  if (typeof v === "string") return v.trim() === "" ? undefined : v;
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    return linkValue(o.href ?? o.url);
  }
  return undefined;
}

/** Follows links that point at the next page, replacing the URL and dropping the first request's params. */
export abstract class NextUrlPaginator implements Paginator {
  abstract readonly type: string;
  protected nextLink: string | undefined;
  private baseUrl = "";

  init(_request: PageRequest, context: PaginatorContext): void {
    this.baseUrl = context.baseUrl;
    this.nextLink = undefined;
  }

  abstract update(response: HttpResponse, items: unknown[]): void;

  next(request: PageRequest): PageRequest | undefined {
    if (this.nextLink === undefined) return undefined;
    const current = buildUrl(request.url, request.params).toString();
    const out = cloneRequest(request);
    out.url = resolveNextUrl(this.nextLink, current, this.baseUrl);
    // The link carries its own query string; re-sending the first page's params would duplicate them.
    out.params = {};
    return out;
  }

  abstract describe(): string;
}

/** `json_link`: the next URL sits in the body at `nextUrlPath` (default `next`). */
export class JsonLinkPaginator extends NextUrlPaginator {
  readonly type = "json_link";
  readonly nextUrlPath: string;

  constructor(options: { nextUrlPath?: string } = {}) {
    super();
    this.nextUrlPath = options.nextUrlPath ?? "next";
  }

  update(response: HttpResponse): void {
    this.nextLink = linkValue(findFirst(response.json(), this.nextUrlPath));
  }

  describe(): string {
    return describeOptions(this.type, { nextUrlPath: this.nextUrlPath });
  }
}
