import type { EndpointSpec } from "../../sage/catalog/index.js";
import { dayFromIso } from "../format.js";

/** A query Sage would refuse; answered with 400 and Sage's error body. */
export class QueryError extends Error {}

export interface SortSpec {
  attribute: string;
  descending: boolean;
}

export interface RefFilter {
  /** Record property holding a link stub (or an array of them), e.g. `contact`, `contact_types`. */
  property: string;
  id: string;
}

export interface ListQuery {
  page: number;
  itemsPerPage: number;
  /** "base" (no `attributes`), "all", or the extra attributes requested. */
  attributes: "base" | "all" | string[];
  /** Milliseconds since the epoch. */
  updatedOrCreatedSince?: number;
  deletedSince?: number;
  fromDay?: number;
  toDay?: number;
  updatedFromDay?: number;
  updatedToDay?: number;
  search?: string;
  sort?: SortSpec;
  refFilters: RefFilter[];
  active?: boolean;
  showPaymentsAllocations: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Sage documents `YYYY-MM-DD`, `YYYY-MM-DDThh:mm(±hh:mm)` and `YYYY-MM-DDThh:mm:ss(±hh:mm)`.
 * A zone-less time is read as UTC. Anything else (including a `+` offset that arrived as a
 * space because the client did not encode it) is refused rather than silently misread.
 */
export function parseTimestamp(name: string, value: string): number {
  let ms = Number.NaN;
  if (DATE.test(value)) ms = Date.parse(`${value}T00:00:00Z`);
  else if (DATE_TIME.test(value))
    ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2") : `${value}Z`);
  if (Number.isNaN(ms)) throw new QueryError(`${name} must be a date (YYYY-MM-DD) or an ISO 8601 date-time, got "${value}"`);
  return ms;
}

function parseDay(name: string, value: string): number {
  parseTimestamp(name, value);
  return dayFromIso(value.slice(0, 10));
}

function positiveInt(value: string | null, fallback: number): number {
  if (value === null || !/^\d+$/.test(value.trim())) return fallback;
  const n = Number(value);
  return n >= 1 ? n : fallback;
}

/**
 * Reads the query string the way the API does. Parameters the endpoint does not declare are
 * ignored (as Rails ignores unknown params): `deleted_since` on `/transactions` filters nothing.
 */
export function parseListQuery(endpoint: EndpointSpec, params: URLSearchParams): ListQuery {
  const accepts = new Set(endpoint.queryParams.map((p) => p.name));
  const get = (name: string) => (accepts.has(name) ? params.get(name) : null);
  const max = endpoint.paging?.itemsPerPageMax ?? 200;
  const q: ListQuery = {
    page: positiveInt(params.get("page"), 1),
    // Over the maximum is clamped (not refused), and `$itemsPerPage` reports the clamped value.
    itemsPerPage: Math.min(max, positiveInt(params.get("items_per_page"), endpoint.paging?.itemsPerPageDefault ?? 20)),
    attributes: "base",
    refFilters: [],
    showPaymentsAllocations: get("show_payments_allocations") === "true",
  };
  const attributes = params.get("attributes");
  if (attributes !== null && attributes.trim() !== "") {
    const list = attributes
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean);
    q.attributes = list.includes("all") ? "all" : list;
  }
  const since = get("updated_or_created_since");
  if (since) q.updatedOrCreatedSince = parseTimestamp("updated_or_created_since", since);
  const deleted = get("deleted_since");
  if (deleted) q.deletedSince = parseTimestamp("deleted_since", deleted);
  const from = get("from_date");
  if (from) q.fromDay = parseDay("from_date", from);
  const to = get("to_date");
  if (to) q.toDay = parseDay("to_date", to);
  const updatedFrom = get("updated_from_date");
  if (updatedFrom) q.updatedFromDay = parseDay("updated_from_date", updatedFrom);
  const updatedTo = get("updated_to_date");
  if (updatedTo) q.updatedToDay = parseDay("updated_to_date", updatedTo);
  const search = get("search");
  if (search && search.trim()) q.search = search.trim().toLowerCase();
  const active = get("active");
  if (active === "true" || active === "false") q.active = active === "true";
  const sort = get("sort");
  if (sort && endpoint.filters.sort) {
    const [attribute = "", direction = "asc"] = sort.split(":").map((s) => s.trim());
    if (!endpoint.filters.sort.includes(attribute)) {
      throw new QueryError(`sort attribute "${attribute}" is not one of ${endpoint.filters.sort.join(", ")}`);
    }
    if (direction !== "asc" && direction !== "desc")
      throw new QueryError(`sort direction must be asc or desc, got "${direction}"`);
    q.sort = { attribute, descending: direction === "desc" };
  }
  for (const name of accepts) {
    const value = params.get(name);
    if (!value || !name.endsWith("_id")) continue;
    const property = name.slice(0, -3);
    // contact_type_id filters the contact_types array; status_id the status stub, and so on.
    q.refFilters.push({ property: property === "contact_type" ? "contact_types" : property, id: value });
  }
  return q;
}

/** The cache key of everything that decides which rows match and in which order. */
export function selectionKey(q: ListQuery): string {
  return JSON.stringify([
    q.updatedOrCreatedSince,
    q.deletedSince,
    q.fromDay,
    q.toDay,
    q.updatedFromDay,
    q.updatedToDay,
    q.search,
    q.sort,
    q.refFilters,
    q.active,
    q.showPaymentsAllocations,
  ]);
}
