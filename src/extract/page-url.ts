import { redactUrl } from "../util/redact.js";

/**
 * The URL a page of items came from, carried on the page array itself (a non-enumerable symbol
 * property), so that a resource can say where its items came from without changing what it
 * yields. Extract records it per raw file (`RawFile.pages`), and normalize names it when an item
 * is quarantined or stops the package: "which request gave me this row" is the first thing a
 * user asks. Stored redacted: a token in a query string never reaches the package.
 */
const PAGE_URL = Symbol.for("sage-pipeline.page-url");

/** Tag `items` (returned as is) with the URL of the page they came from. */
export function tagPageUrl<T extends unknown[]>(items: T, url: string): T {
  Object.defineProperty(items, PAGE_URL, { value: redactUrl(url), enumerable: false });
  return items;
}

/** The redacted URL a page was tagged with; undefined for anything untagged. */
export function pageUrlOf(produced: unknown): string | undefined {
  if (!Array.isArray(produced)) return undefined;
  const url = (produced as unknown as Record<symbol, unknown>)[PAGE_URL];
  return typeof url === "string" ? url : undefined;
}

/** `to` (a page reshaped from `from`, e.g. by `map`) tagged with `from`'s URL, if it had one. */
export function carryPageUrl<T extends unknown[]>(from: unknown, to: T): T {
  const url = pageUrlOf(from);
  if (url !== undefined) Object.defineProperty(to, PAGE_URL, { value: url, enumerable: false });
  return to;
}
