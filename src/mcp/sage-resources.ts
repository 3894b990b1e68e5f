import { DEFAULT_RESOURCES, type EndpointSpec, getEndpoint, listEndpoints } from "../sage/catalog/index.js";
import { hintPath } from "../sage/column-hints.js";

/** `invoice_lines[*].tax_breakdown` under `sales_invoices` → `sales_invoices__invoice_lines__tax_breakdown`. */
function childTables(e: EndpointSpec): string[] {
  return [...e.nestedArrays.map((a) => a.path), ...e.scalarArrays].map((p) => `${e.name}__${hintPath(p)}`).sort();
}

function filterNames(e: EndpointSpec): string[] {
  return Object.entries(e.filters)
    .filter(([, v]) => v === true || (Array.isArray(v) && v.length > 0))
    .map(([k]) => k);
}

/** One line per catalog endpoint: what an agent needs to pick resources for `--resources`. */
export function listSageResources(): Array<Record<string, unknown>> {
  return listEndpoints().map((e) => ({
    name: e.name,
    kind: e.kind,
    summary: e.summary,
    default: DEFAULT_RESOURCES.includes(e.name),
    filters: filterNames(e),
    incremental: e.filters.updatedOrCreatedSince,
    deletions: e.filters.deletedSince ? "deleted_since" : e.rows.deletedFlag ? "deleted flag" : null,
    availability: e.availability,
    child_tables: childTables(e),
  }));
}

/** Everything the catalog knows of one endpoint, and where its rows land. */
export function describeSageResource(name: string): Record<string, unknown> {
  const e = getEndpoint(name);
  return {
    name: e.name,
    path: e.path,
    kind: e.kind,
    definition: e.definition,
    summary: e.summary,
    default: DEFAULT_RESOURCES.includes(e.name),
    table: e.name,
    primary_key: e.rows.id ? ["business_id", "id"] : ["business_id"],
    write_disposition: "merge",
    child_tables: childTables(e),
    incremental: e.filters.updatedOrCreatedSince
      ? "updated_or_created_since (each run reads what changed since the previous run started)"
      : "none (read whole each run)",
    deletions: e.filters.deletedSince
      ? "deleted_since: deleted rows get deleted_at (or are removed with hard_delete = true)"
      : e.rows.deletedFlag
        ? "a boolean `deleted` column"
        : "not reported by Sage",
    query_params: e.queryParams.map((p) => p.name),
    filters: e.filters,
    paging: e.paging,
    money_columns: e.moneyFields.map(hintPath),
    date_columns: e.dateFields.map(hintPath),
    timestamp_columns: e.timestampFields.map(hintPath),
    references: e.references.map((r) => `${hintPath(r.path)} → ${r.definition}`),
    nested_objects: e.nestedObjects.map((o) => hintPath(o.path)),
    availability: e.availability,
    access: e.access,
  };
}
