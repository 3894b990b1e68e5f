import type { HttpResponse } from "../../http/index.js";
import type { PathStep } from "../../util/json-path.js";
import { selectorString } from "../selector.js";
import { CursorPaginator } from "./cursor.js";
import { HeaderLinkPaginator } from "./header-link.js";
import { JsonLinkPaginator } from "./json-link.js";
import { PageNumberPaginator } from "./page-number.js";
import { SinglePagePaginator } from "./single-page.js";
import type { Paginator } from "./types.js";

export interface Detection {
  paginator: Paginator;
  /** False when the guess deserves a look (dlt's score 0.5) or nothing was found. */
  confident: boolean;
  /** What in the response led to the choice. */
  evidence: string;
}

const LINK_PARENTS = new Set(["links", "_links", "pagination", "paging", "meta"]);
const LINK_KEYS = new Set([
  "$next",
  "@odata.nextlink",
  "next",
  "nextlink",
  "next_link",
  "nexturl",
  "next_url",
  "next_page_url",
  "nextpageurl",
  "next_page",
]);
const TOTAL_PAGES = /^(total_pages|pages|totalpages|page_count|pagecount)$/i;
const CURRENT_PAGE = /^(page|current_page|currentpage|page_number|pagenumber|\$page)$/i;
const MAX_DEPTH = 3;

const isLinkText = (v: unknown): v is string => typeof v === "string" && /^(https?:\/\/|\/|\?)/i.test(v.trim());

type Found = { steps: PathStep[]; kind: "link" | "null-link" | "cursor" };

/** dlt's rule (a key starting with "next") plus Sage's `$next` and OData's `@odata.nextLink`. */
function isNextKey(key: string): boolean {
  const k = key.toLowerCase();
  return k.startsWith("next") || k === "$next" || k === "@odata.nextlink";
}

function search(node: Record<string, unknown>, path: PathStep[], parent: string | undefined, out: Found[]): void {
  for (const [key, value] of Object.entries(node)) {
    const steps = [...path, { key }];
    const underLinks = parent !== undefined && LINK_PARENTS.has(parent.toLowerCase());
    if (isNextKey(key)) {
      if (isLinkText(value)) out.push({ steps, kind: "link" });
      else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const o = value as Record<string, unknown>;
        const sub = isLinkText(o.href) ? "href" : isLinkText(o.url) ? "url" : undefined;
        if (sub) out.push({ steps: [...steps, { key: sub }], kind: "link" });
      } else if (value === null && (LINK_KEYS.has(key.toLowerCase()) || underLinks)) out.push({ steps, kind: "null-link" });
      else if ((typeof value === "string" && value.trim() !== "") || typeof value === "number")
        out.push({ steps, kind: "cursor" });
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value) && steps.length < MAX_DEPTH) {
      search(value as Record<string, unknown>, steps, key, out);
    }
  }
}

function findPageNumbers(body: Record<string, unknown>): { totalPath: string; current: number | undefined } | undefined {
  const scan = (
    node: Record<string, unknown>,
    path: PathStep[],
  ): { totalPath: string; current: number | undefined } | undefined => {
    const entries = Object.entries(node);
    const total = entries.find(([k, v]) => TOTAL_PAGES.test(k) && Number.isInteger(Number(v)) && v !== null && v !== "");
    if (total) {
      const cur = entries.find(([k, v]) => CURRENT_PAGE.test(k) && Number.isInteger(Number(v)) && v !== null);
      return { totalPath: selectorString([...path, { key: total[0] }]), current: cur ? Number(cur[1]) : undefined };
    }
    for (const [k, v] of entries) {
      if (v !== null && typeof v === "object" && !Array.isArray(v) && path.length + 1 < MAX_DEPTH) {
        const hit = scan(v as Record<string, unknown>, [...path, { key: k }]);
        if (hit) return hit;
      }
    }
    return undefined;
  };
  return scan(body, []);
}

/**
 * dlt's detector, run once on the first response, with what it misses: `$next` (Sage),
 * `@odata.nextLink` (MS Graph) and `links.next` / `_links.next.href` (JSON:API, HAL). A
 * recognised next-link key that is null still picks `json_link`: the API pages, this
 * collection just fits on one page.
 */
export function detectPaginator(response: HttpResponse, body: unknown): Detection {
  const links = response.links();
  if (links.next) return { paginator: new HeaderLinkPaginator(), confident: true, evidence: "a Link header with rel=next" };
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return {
      paginator: new SinglePagePaginator(),
      confident: false,
      evidence: Array.isArray(body) ? "a top-level array with no Link header" : "a body that is not an object",
    };
  }
  const found: Found[] = [];
  search(body as Record<string, unknown>, [], undefined, found);
  const link = found.find((f) => f.kind === "link") ?? found.find((f) => f.kind === "null-link");
  if (link) {
    const nextUrlPath = selectorString(link.steps);
    return { paginator: new JsonLinkPaginator({ nextUrlPath }), confident: true, evidence: `a next link at ${nextUrlPath}` };
  }
  const pages = findPageNumbers(body as Record<string, unknown>);
  if (pages) {
    // dlt assumes base page 0 here, which re-reads page 1 on the usual 1-based APIs.
    const basePage = pages.current ?? 1;
    return {
      paginator: new PageNumberPaginator({ totalPath: pages.totalPath, basePage }),
      confident: false,
      evidence: `a page count at ${pages.totalPath}${pages.current !== undefined ? ` and current page ${pages.current}` : ""} (assumed page param "page", first page ${basePage})`,
    };
  }
  const cursor = found.find((f) => f.kind === "cursor");
  if (cursor) {
    const cursorPath = selectorString(cursor.steps);
    return {
      paginator: new CursorPaginator({ cursorPath }),
      confident: false,
      evidence: `a cursor at ${cursorPath} (assumed query param "cursor")`,
    };
  }
  return { paginator: new SinglePagePaginator(), confident: false, evidence: "no next link, page count or cursor" };
}
