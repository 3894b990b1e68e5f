import { ENDPOINTS } from "./endpoints.generated.js";
import { FIELD_DOCS } from "./field-docs.generated.js";

/** By the table name normalize gives each endpoint's root table (its name: already snake_case). */
const byTable = new Map(ENDPOINTS.map((e) => [e.name, e]));

/** Child tables and flattened columns join their parts with this (normalize's separator). */
const SEPARATOR = "__";

/**
 * The Sage spec's description of a column of a Sage table, found the way normalize named it:
 * the table is `<endpoint>[__<list field>...]` (a child table per list), the column a field path
 * flattened with `__` (`main_address__city`). `naming` gives a spec field its column spelling
 * (`$path` → `_path`). A flattened column says what its parent field is, then what the leaf is
 * (`The contact the sales invoice relates to — The unique identifier for the item`). Undefined:
 * not a Sage table, not a spec field (the engine's `_dlt_*`, `business_id`), or a name shortened
 * to fit the destination's identifier length.
 */
export function columnDescription(table: string, column: string, naming: (field: string) => string): string | undefined {
  const [root, ...lists] = table.split(SEPARATOR);
  const endpoint = root === undefined ? undefined : byTable.get(root);
  if (!endpoint) return undefined;
  let definition: string | undefined = endpoint.definition;
  // Into the child table's list items: the list fields' own descriptions are the table's, not the column's.
  for (const segment of lists) {
    definition = field(definition, segment, naming)?.[1];
    if (!definition) return undefined;
  }
  const parts: string[] = [];
  const path = column.split(SEPARATOR);
  for (const [i, segment] of path.entries()) {
    const doc = field(definition, segment, naming);
    if (!doc) return undefined;
    if (doc[0]) parts.push(doc[0]);
    if (i < path.length - 1) {
      definition = doc[1];
      if (!definition) return undefined;
    }
  }
  return parts.length > 0 ? parts.join(" — ") : undefined;
}

/** The description of the list field a child table is made from (`sales_invoices__invoice_lines`). */
export function tableDescription(table: string, naming: (field: string) => string): string | undefined {
  const [root, ...lists] = table.split(SEPARATOR);
  const endpoint = root === undefined ? undefined : byTable.get(root);
  if (!endpoint) return undefined;
  if (lists.length === 0) return endpoint.summary || undefined;
  let definition: string | undefined = endpoint.definition;
  let text: string | undefined;
  for (const segment of lists) {
    const doc = field(definition, segment, naming);
    text = doc?.[0];
    definition = doc?.[1];
    if (!definition) return text || undefined;
  }
  return text || undefined;
}

function field(definition: string | undefined, column: string, naming: (field: string) => string) {
  const docs = definition ? FIELD_DOCS[definition] : undefined;
  if (!docs) return undefined;
  const exact = docs[column];
  if (exact) return exact;
  for (const [name, doc] of Object.entries(docs)) if (naming(name) === column) return doc;
  return undefined;
}
