import type { Schema } from "../schema/schema.js";
import { SYSTEM_TABLE_NAMES } from "../schema/system-tables.js";
import type { Column, Table } from "../schema/types.js";

/** A column in dlt's TColumnSchema spelling, so answers read like dlt-mcp's. */
function dltColumn(c: Column): Record<string, unknown> {
  return {
    name: c.name,
    data_type: c.dataType,
    nullable: c.nullable,
    ...(c.primaryKey ? { primary_key: true } : {}),
    ...(c.mergeKey ? { merge_key: true } : {}),
    ...(c.hardDelete ? { hard_delete: true } : {}),
    ...(c.precision !== undefined ? { precision: c.precision } : {}),
    ...(c.scale !== undefined ? { scale: c.scale } : {}),
    ...(c.timezone !== undefined ? { timezone: c.timezone } : {}),
    ...(c.variantOf !== undefined ? { variant_of: c.variantOf } : {}),
    ...(c.system ? { system: true } : {}),
  };
}

/** A table in dlt's TTableSchema spelling: columns with types, nullability, keys; the parent. */
export function dltTable(t: Table): Record<string, unknown> {
  return {
    name: t.name,
    ...(t.parent !== undefined ? { parent: t.parent } : {}),
    ...(t.resource !== undefined ? { resource: t.resource } : {}),
    write_disposition: t.writeDisposition,
    columns: Object.fromEntries(Object.values(t.columns).map((c) => [c.name, dltColumn(c)])),
  };
}

/** dlt's `schema.data_table_names()`: every table but the `_dlt_*` bookkeeping ones. */
export function dataTables(schema: Schema): Table[] {
  return [...schema.tables.values()].filter((t) => !SYSTEM_TABLE_NAMES.has(t.name));
}

/** Mermaid identifiers: letters, digits, `_` and `-`. */
function ident(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, "_");
}

/**
 * The schema as a Mermaid ER diagram: one entity per data table (its columns unless
 * `hideColumns`), and a one-to-many link from each parent to its child tables (`_dlt_parent_id`).
 */
export function mermaidSchema(schema: Schema, hideColumns: boolean): string {
  const tables = dataTables(schema);
  const lines = ["erDiagram"];
  for (const t of tables) {
    if (hideColumns) {
      lines.push(`  ${ident(t.name)}`);
      continue;
    }
    lines.push(`  ${ident(t.name)} {`);
    for (const c of Object.values(t.columns)) {
      const keys = [c.primaryKey ? "PK" : undefined, c.name === "_dlt_parent_id" ? "FK" : undefined].filter(Boolean);
      lines.push(`    ${c.dataType} ${ident(c.name)}${keys.length > 0 ? ` ${keys.join(", ")}` : ""}`);
    }
    lines.push("  }");
  }
  for (const t of tables) {
    if (t.parent !== undefined) lines.push(`  ${ident(t.parent)} ||--o{ ${ident(t.name)} : "_dlt_parent_id"`);
  }
  return lines.join("\n");
}
