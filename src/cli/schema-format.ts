import { stringify as toYaml } from "yaml";
import type { StoredSchema } from "../schema/schema.js";
import type { Column, Table } from "../schema/types.js";
import { closestNames } from "../sage/catalog/closest-names.js";
import { ConfigError } from "../util/errors.js";
import { formatTable } from "./text-table.js";

export const SCHEMA_FORMATS = ["table", "yaml", "json", "mermaid", "dbml"] as const;
export type SchemaFormat = (typeof SCHEMA_FORMATS)[number];

/** Keys, then the order columns were added: how every view of a table lists its columns. */
function columnsOf(t: Table): Column[] {
  const cols = Object.values(t.columns);
  return [...cols.filter((c) => c.primaryKey), ...cols.filter((c) => !c.primaryKey)];
}

function typeText(c: Column): string {
  if (c.dataType === "decimal" && c.precision !== undefined) return `decimal(${c.precision},${c.scale ?? 0})`;
  return c.dataType;
}

function flags(c: Column): string {
  const out: string[] = [];
  if (c.primaryKey) out.push("primary key");
  if (c.mergeKey) out.push("merge key");
  if (c.hardDelete) out.push("hard delete");
  if (c.variantOf) out.push(`variant of ${c.variantOf}`);
  if (c.system) out.push("system");
  return out.join(", ");
}

/** dlt links a child row to its parent through `_dlt_parent_id` → the parent's `_dlt_id`. */
function childLinks(tables: readonly Table[]): Array<{ child: string; parent: string }> {
  return tables.filter((t) => t.parent).map((t) => ({ child: t.name, parent: t.parent! }));
}

function asTable(schema: StoredSchema, tables: readonly Table[]): string {
  const parts = [`Schema ${schema.name} version ${schema.version} (${tables.length} table(s))`];
  for (const t of tables) {
    const head = [
      `\n${t.name}`,
      t.parent ? `child of ${t.parent}` : t.resource ? `resource ${t.resource}` : "",
      `write disposition ${t.writeDisposition}`,
    ]
      .filter(Boolean)
      .join(" · ");
    const body = formatTable(
      ["column", "type", "nullable", "keys and notes"],
      columnsOf(t).map((c) => [c.name, typeText(c), c.nullable ? "yes" : "no", flags(c)]),
    );
    parts.push(`${head}\n${body.replace(/^/gm, "  ")}`);
  }
  return parts.join("\n");
}

/** Mermaid entity names and types may not hold spaces, parentheses or commas. */
function mermaidType(c: Column): string {
  return typeText(c).replace(/[(),]/g, "_").replace(/_+$/, "");
}

function asMermaid(tables: readonly Table[]): string {
  const lines = ["erDiagram"];
  for (const t of tables) {
    lines.push(`  ${t.name} {`);
    for (const c of columnsOf(t)) lines.push(`    ${mermaidType(c)} ${c.name}${c.primaryKey ? " PK" : ""}`);
    lines.push("  }");
  }
  for (const { child, parent } of childLinks(tables)) lines.push(`  ${parent} ||--o{ ${child} : "_dlt_parent_id"`);
  return lines.join("\n");
}

function dbmlName(name: string): string {
  return `"${name.replace(/"/g, '\\"')}"`;
}

function asDbml(tables: readonly Table[]): string {
  const blocks: string[] = [];
  for (const t of tables) {
    const cols = columnsOf(t).map((c) => {
      const settings = [c.primaryKey ? "pk" : "", c.nullable ? "" : "not null"].filter(Boolean);
      return `  ${dbmlName(c.name)} ${typeText(c)}${settings.length ? ` [${settings.join(", ")}]` : ""}`;
    });
    blocks.push(`Table ${dbmlName(t.name)} {\n${cols.join("\n")}\n}`);
  }
  for (const { child, parent } of childLinks(tables)) {
    blocks.push(`Ref: ${dbmlName(child)}."_dlt_parent_id" > ${dbmlName(parent)}."_dlt_id"`);
  }
  return blocks.join("\n\n");
}

/**
 * `pipeline X schema`: one schema in the format asked for. `table` (the default) is for reading;
 * yaml/json are the stored schema; mermaid and dbml draw tables and their parent/child links.
 */
export function formatSchema(schema: StoredSchema, format: SchemaFormat, only?: string): string {
  const tables = schema.tables.filter((t) => !only || t.name === only);
  if (only && tables.length === 0) {
    const names = schema.tables.map((t) => t.name);
    throw new ConfigError(`schema ${schema.name} has no table ${JSON.stringify(only)}`, {
      hint: closestNames(only, names, 3).length
        ? `did you mean ${closestNames(only, names, 3).join(", ")}? (\`pipeline <name> schema\` lists every table)`
        : `its tables: ${names.join(", ")}`,
    });
  }
  switch (format) {
    case "table":
      return asTable(schema, tables);
    case "json":
      return JSON.stringify(only ? { ...schema, tables } : schema, null, 2);
    case "yaml":
      return toYaml(only ? { ...schema, tables } : schema).trimEnd();
    case "mermaid":
      return asMermaid(tables);
    case "dbml":
      return asDbml(tables);
  }
}
