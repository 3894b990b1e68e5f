import type { Rec } from "../world/world.js";

/** Encodes like Sage's links: `:` and `,` stay readable (`sort=date:asc`), everything else is escaped. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ":").replace(/%2C/gi, ",");
}

/**
 * A `$next`/`$back` link: a path relative to the /v3.1 base that keeps every query parameter,
 * `page` and `items_per_page` first, as in `/sales_invoices?page=2&items_per_page=200&attributes=all`.
 */
export function pageLink(path: string, params: URLSearchParams, page: number, itemsPerPage: number): string {
  const parts = [`page=${page}`, `items_per_page=${itemsPerPage}`];
  for (const [k, v] of params) if (k !== "page" && k !== "items_per_page") parts.push(`${encode(k)}=${encode(v)}`);
  return `${path}?${parts.join("&")}`;
}

/** The accounting endpoints' list envelope (note `$itemsPerPage`; `/businesses` says `$items_per_page`). */
export function envelope(
  path: string,
  params: URLSearchParams,
  total: number,
  page: number,
  pages: number,
  itemsPerPage: number,
  items: Rec[],
): Rec {
  return {
    $total: total,
    $page: page,
    $next: page < pages ? pageLink(path, params, page + 1, itemsPerPage) : null,
    $back: page > 1 ? pageLink(path, params, page - 1, itemsPerPage) : null,
    $itemsPerPage: itemsPerPage,
    $items: items,
  };
}
