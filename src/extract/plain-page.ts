/**
 * A page whose items are plain JSON values (what `isPlainJsonText` promises of a response body:
 * plain objects and arrays, finite numbers, booleans, null, strings without the typed marker),
 * so that the raw writer may write each with JSON.stringify without walking it first. The
 * source that tags a page vouches for its items as it yields them; the extractor honours the tag
 * only while nothing of the resource's own can have changed them (no processing steps, a static
 * table name), and map or filter steps make new arrays without it anyway.
 */
const plainPages = new WeakSet<unknown[]>();

/** Tag `items` (returned as is) as plain JSON values. */
export function tagPlainJson<T extends unknown[]>(items: T): T {
  plainPages.add(items);
  return items;
}

/** True for a page tagged by tagPlainJson. */
export function isPlainJsonPage(produced: unknown): boolean {
  return Array.isArray(produced) && plainPages.has(produced);
}
