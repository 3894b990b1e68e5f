import { type Item, tagPlainJson } from "../extract/index.js";
import type { HttpResponse } from "../http/index.js";
import { MARK } from "../util/typed-json.js";
import type { Business } from "./businesses.js";

/**
 * The columns the source adds to every row (and the key is built from): they come from the
 * request, never from the item. An item field that would land in one of them (`business_id`,
 * or `BusinessId`/`businessID`, which the naming convention turns into the same column) is kept
 * under `item_<field>` instead (`item_business_id`), so the key `(business_id, id)` cannot be
 * spoofed by data and nothing the item said is lost.
 */
export const SOURCE_COLUMNS = ["business_id"] as const;

const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");
const RESERVED = new Set(SOURCE_COLUMNS.map(squash));

/** Where an item's field named like a source column goes: `item_<field>`, again until it is free. */
export function displacedName(field: string, taken: (name: string) => boolean): string {
  let name = `item_${field}`;
  while (taken(name) || RESERVED.has(squash(name))) name = `item_${name}`;
  return name;
}

/** What withoutLinks puts for a `links` array: leave it out. */
const DROP = Symbol("drop");

/**
 * Hypermedia `links` ({href, rel, type}) carry no accounting data; they would only add tables.
 * Copy on write: a value with no `links` array anywhere inside is returned as it is, and only
 * the objects and arrays on the way to one are copied. Sage puts `links` on the items themselves
 * (which sourceRow leaves out) and not on the objects nested in them, so the nested values of a
 * page are shared with its parsed body instead of being copied object by object (138k objects
 * in the vs-dlt bench's 7k items). The repeat-page guard compares JSON snapshots taken when a page
 * arrived and its response text, not these objects, so a map step that changes them in place
 * misleads nothing.
 */
function withoutLinks(value: object): object {
  if (Array.isArray(value)) {
    const src = value as unknown[];
    let out: unknown[] | undefined;
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      const w = typeof v === "object" && v !== null ? withoutLinks(v) : v;
      if (w !== v && !out) out = src.slice(0, i);
      if (out) out.push(w);
    }
    return out ?? src;
  }
  // for...in, not Object.keys: no array per object, and these are JSON.parse's plain objects.
  const src = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k in src) {
    const v = src[k];
    const w = k === "links" && Array.isArray(v) ? DROP : typeof v === "object" && v !== null ? withoutLinks(v) : v;
    if (w !== v && !out) out = copyBefore(src, k);
    if (out && w !== DROP) out[k] = w;
  }
  return out ?? src;
}

/** The fields of `src` before `stop`, in their order: the start of a copy. */
function copyBefore(src: Record<string, unknown>, stop: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in src) {
    if (k === stop) break;
    out[k] = src[k];
  }
  return out;
}

/** A key shorter than every squashed source column cannot squash to one (it only loses characters). */
const RESERVED_MIN = Math.min(...[...RESERVED].map((r) => r.length));

/**
 * The answers of `reserved` so far: an item's keys repeat on every item of every page, and
 * squashing them (a lower-casing and a regex replace each) was a tenth of building the rows.
 * Bounded, since an item's keys need not come from a fixed list.
 */
const reservedSeen = new Map<string, boolean>();
const RESERVED_SEEN_MAX = 10_000;

/** Could `key` be a source column under the naming convention (`BusinessId`, `business-id`)? */
function reserved(key: string): boolean {
  if (key.length < RESERVED_MIN) return false;
  let r = reservedSeen.get(key);
  if (r === undefined) {
    r = RESERVED.has(squash(key));
    if (reservedSeen.size >= RESERVED_SEEN_MAX) reservedSeen.clear();
    reservedSeen.set(key, r);
  }
  return r;
}

/**
 * One Sage item as a row: `business_id` from the request first, then the item's own fields
 * (without `links`), in one copy: this runs for every item of every page.
 */
export function sourceRow(item: unknown, business: Business): Item {
  const row: Item = { business_id: business.id };
  if (item === null || typeof item !== "object" || Array.isArray(item)) {
    row.value = item;
    return row;
  }
  const src = item as Record<string, unknown>;
  for (const k of Object.keys(src)) {
    const v = src[k];
    if (k === "links" && Array.isArray(v)) continue;
    const key = reserved(k) ? displacedName(k, (n) => (n in src && n !== "links") || n in row) : k;
    row[key] = typeof v === "object" && v !== null ? withoutLinks(v) : v;
  }
  return row;
}

export function sourceRows(items: unknown[], business: Business): Item[] {
  return items.map((it) => sourceRow(it, business));
}

/**
 * The rows of items `response`'s body parsed to, tagged as plain JSON values (extract/plain-page.ts)
 * when the body is (HttpResponse.plainJson) and the business id is a plain string too: rows add
 * nothing else, so the raw writer need not walk them again.
 */
export function pageRows(items: unknown[], business: Business, response: HttpResponse): Item[] {
  const rows = sourceRows(items, business);
  return !business.id.startsWith(MARK) && response.plainJson() ? tagPlainJson(rows) : rows;
}
