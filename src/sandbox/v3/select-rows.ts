import type { EndpointSpec } from "../../sage/catalog/index.js";
import { propertiesOf } from "../spec/index.js";
import { dayOf } from "../format.js";
import type { Row } from "../world/table.js";
import type { Rec, World } from "../world/world.js";
import { selectionKey, type ListQuery } from "./list-query.js";

const SEARCHED = [
  "displayed_as",
  "reference",
  "contact_name",
  "name",
  "item_code",
  "description",
  "email",
  "vendor_reference",
  "invoice_number",
];

/** Memoises full renders within one request: filtering by search or ids renders rows anyway. */
export class RenderCache {
  private readonly map = new Map<Row, Rec>();
  private readonly simpleBase: boolean;

  constructor(
    private readonly w: World,
    private readonly name: string,
    private readonly q: ListQuery,
    definition: string,
  ) {
    const props = propertiesOf(definition);
    this.simpleBase = ["id", "displayed_as", "$path"].every((k) => k in props);
  }

  /** The base attributes without rendering the whole record (the default, attribute-less list). */
  base(row: Row): Rec {
    const hit = this.map.get(row);
    if (hit || !this.simpleBase) return project(hit ?? this.full(row), "base");
    const id = this.w.table(this.name).id(row);
    return { id, displayed_as: this.w.label(this.name, row), $path: `/${this.name}/${id}` };
  }

  full(row: Row): Rec {
    let rec = this.map.get(row);
    if (!rec) {
      rec = this.w.render(this.name, row, { showPaymentsAllocations: this.q.showPaymentsAllocations });
      this.map.set(row, rec);
    }
    return rec;
  }
}

function matchesRef(rec: Rec, property: string, id: string): boolean {
  const v = rec[property];
  if (Array.isArray(v)) return v.some((x) => (x as Rec | null)?.id === id);
  return (v as Rec | undefined)?.id === id;
}

/**
 * Which rows a list request returns, in order. Soft-deleted rows of `deleted_at` resources only
 * appear through `deleted_since` (exclusive bound); rows of `transactions` and `ledger_entries`
 * stay listed with `deleted: true`. `updated_or_created_since` is inclusive.
 */
export function selectRows(w: World, endpoint: EndpointSpec, q: ListQuery, renders: RenderCache): Row[] {
  const table = w.table(endpoint.name);
  const props = propertiesOf(endpoint.definition);
  let rows = table.rows.filter((r) => !r.gone);
  if (endpoint.rows.deletedAt) {
    const since = q.deletedSince;
    rows =
      since === undefined
        ? rows.filter((r) => r.deletedAt === null)
        : rows.filter((r) => r.deletedAt !== null && r.deletedAt * 1000 > since);
  }
  const since = q.updatedOrCreatedSince;
  if (since !== undefined) rows = rows.filter((r) => r.updatedAt * 1000 >= since);
  if (q.fromDay !== undefined || q.toDay !== undefined) {
    const from = q.fromDay ?? -Infinity;
    const to = q.toDay ?? Infinity;
    rows = rows.filter((r) => {
      const day = w.dateOf(endpoint.name, r, "date");
      return day !== undefined && day >= from && day <= to;
    });
  }
  if (q.updatedFromDay !== undefined || q.updatedToDay !== undefined) {
    const from = q.updatedFromDay ?? -Infinity;
    const to = q.updatedToDay ?? Infinity;
    rows = rows.filter((r) => dayOf(r.updatedAt) >= from && dayOf(r.updatedAt) <= to);
  }
  for (const f of q.refFilters) {
    if (!(f.property in props)) continue;
    rows = rows.filter((r) => matchesRef(renders.full(r), f.property, f.id));
  }
  if (q.active !== undefined && "active" in props) rows = rows.filter((r) => renders.full(r).active === q.active);
  const search = q.search;
  if (search !== undefined) {
    rows = rows.filter((r) => {
      const rec = renders.full(r);
      return SEARCHED.some((k) => typeof rec[k] === "string" && rec[k].toLowerCase().includes(search));
    });
  }
  if (q.sort) rows = sortRows(w, endpoint.name, rows, q.sort.attribute, q.sort.descending);
  return rows;
}

function sortRows(w: World, name: string, rows: Row[], attribute: string, descending: boolean): Row[] {
  const key = (r: Row): number => {
    if (attribute === "created_at") return r.createdAt;
    if (attribute === "updated_at") return r.updatedAt;
    const day = w.dateOf(name, r, attribute === "due_date" ? "due_date" : "date");
    return day ?? Number.MAX_SAFE_INTEGER;
  };
  const keyed = rows.map((r) => ({ r, k: key(r) }));
  // Ties keep creation order in both directions, so pages never shuffle between requests.
  keyed.sort((a, b) => (a.k === b.k ? a.r.seq - b.r.seq : descending ? b.k - a.k : a.k - b.k));
  return keyed.map((x) => x.r);
}

/** Small LRU of selections, so paging through 50k rows does not re-filter on every page. */
export class SelectionCache {
  private readonly entries = new Map<string, Row[]>();

  constructor(private readonly size = 32) {}

  get(w: World, endpoint: EndpointSpec, q: ListQuery, compute: () => Row[]): Row[] {
    const key = `${w.business.id}|${endpoint.name}|${w.version}|${w.table(endpoint.name).rows.length}|${selectionKey(q)}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const rows = compute();
    this.entries.set(key, rows);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
    return rows;
  }
}

/** What `attributes` exposes: the base attributes, plus the requested ones, or everything. */
export function project(full: Rec, attributes: ListQuery["attributes"]): Rec {
  if (attributes === "all") return full;
  const out: Rec = {};
  for (const k of ["id", "displayed_as", "$path"]) if (k in full) out[k] = full[k];
  if (attributes !== "base") for (const k of attributes) if (k in full && !(k in out)) out[k] = full[k];
  return out;
}
