import type { ColumnHint } from "../schema/types.js";
import type { EndpointSpec } from "./catalog/index.js";

/** `invoice_lines[*].net_amount` → `invoice_lines__net_amount`: the engine's hint path. */
export function hintPath(fieldPath: string): string {
  return fieldPath.replace(/\[\*\]/g, "").replace(/\./g, "__");
}

/**
 * Column hints for one endpoint from the catalog: numbers are decimals (Sage sends money,
 * quantities and rates as strings; a float would round pennies), `format: date` fields are
 * dates and `format: date-time` fields timestamps. Paths reach into child tables, so invoice
 * lines get their decimals too.
 */
export function columnHints(endpoint: EndpointSpec, hardDelete: boolean): Record<string, ColumnHint> {
  const hints: Record<string, ColumnHint> = {
    business_id: { dataType: "text", nullable: false, primaryKey: true },
  };
  for (const f of endpoint.moneyFields) hints[hintPath(f)] = { dataType: "decimal", precision: 38, scale: 9 };
  for (const f of endpoint.dateFields) hints[hintPath(f)] = { dataType: "date" };
  for (const f of endpoint.timestampFields) hints[hintPath(f)] = { dataType: "timestamp" };
  if (endpoint.rows.id) hints.id = { dataType: "text", nullable: false, primaryKey: true };
  if (endpoint.rows.deletedAt) hints.deleted_at = { dataType: "timestamp", ...(hardDelete ? { hardDelete: true } : {}) };
  if (endpoint.rows.deletedFlag) hints.deleted = { dataType: "bool" };
  return hints;
}
