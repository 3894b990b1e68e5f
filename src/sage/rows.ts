import type { Item } from "../extract/index.js";
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

/** Hypermedia `links` ({href, rel, type}) carry no accounting data; they would only add tables. */
function withoutLinks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLinks);
  if (value === null || typeof value !== "object") return value;
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) {
    const v = src[k];
    if (k === "links" && Array.isArray(v)) continue;
    out[k] = typeof v === "object" && v !== null ? withoutLinks(v) : v;
  }
  return out;
}

/** A key shorter than every squashed source column cannot squash to one (it only loses characters). */
const RESERVED_MIN = Math.min(...[...RESERVED].map((r) => r.length));

/** Could `key` be a source column under the naming convention (`BusinessId`, `business-id`)? */
function reserved(key: string): boolean {
  return key.length >= RESERVED_MIN && RESERVED.has(squash(key));
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
