import type { Column, Table } from "./types.js";

/** Names dlt gives its bookkeeping tables and columns; kept identical so dlt users feel at home. */
export const LOADS_TABLE = "_dlt_loads";
export const VERSION_TABLE = "_dlt_version";
export const STATE_TABLE = "_dlt_pipeline_state";
/** Items normalize quarantined (no primary key, a shape the rules cannot take), one row each. */
export const REJECTED_TABLE = "_dlt_rejected";

export const C_LOAD_ID = "_dlt_load_id";
export const C_ID = "_dlt_id";
export const C_PARENT_ID = "_dlt_parent_id";
export const C_LIST_IDX = "_dlt_list_idx";
export const C_ROOT_ID = "_dlt_root_id";

function col(name: string, dataType: Column["dataType"], nullable = false): Column {
  return { name, dataType, nullable, system: true };
}

function table(name: string, columns: Column[]): Table {
  return {
    name,
    writeDisposition: "append",
    columns: Object.fromEntries(columns.map((c) => [c.name, c])),
  };
}

export function systemTables(): Table[] {
  return [
    table(LOADS_TABLE, [
      col("load_id", "text"),
      col("schema_name", "text", true),
      col("status", "bigint"),
      col("inserted_at", "timestamp"),
      col("schema_version_hash", "text", true),
      // Not in dlt: which package this load was (see newPackageId); dlt ignores the extra column.
      col("package_id", "text", true),
    ]),
    table(VERSION_TABLE, [
      col("version", "bigint"),
      col("engine_version", "bigint"),
      col("inserted_at", "timestamp"),
      col("schema_name", "text"),
      col("version_hash", "text"),
      col("schema", "text"),
    ]),
    table(STATE_TABLE, [
      col("version", "bigint"),
      col("engine_version", "bigint"),
      col("pipeline_name", "text"),
      col("state", "text"),
      col("created_at", "timestamp"),
      col("version_hash", "text"),
      col(C_LOAD_ID, "text"),
      col(C_ID, "text"),
    ]),
    table(REJECTED_TABLE, [
      col("load_id", "text"),
      col("resource", "text"),
      col("table_name", "text"),
      col("business_id", "text", true),
      col("item_id", "text", true),
      col("file", "text"),
      col("item_index", "bigint"),
      col("page_url", "text", true),
      col("reason", "text"),
      col("item", "text"),
      col("inserted_at", "timestamp"),
    ]),
  ];
}

export const SYSTEM_TABLE_NAMES: ReadonlySet<string> = new Set([LOADS_TABLE, VERSION_TABLE, STATE_TABLE, REJECTED_TABLE]);

/** A quarantined item as its `_dlt_rejected` row (the item cut at 2,000 characters, as quarantined). */
export function rejectedRow(
  r: {
    loadId: string;
    resource: string;
    table: string;
    business?: string;
    id?: string;
    file: string;
    index: number;
    page?: string;
    reason: string;
    item: string;
  },
  insertedAt: string,
): Record<string, string | number | null> {
  return {
    load_id: r.loadId,
    resource: r.resource,
    table_name: r.table,
    business_id: r.business ?? null,
    item_id: r.id ?? null,
    file: r.file,
    item_index: r.index,
    page_url: r.page ?? null,
    reason: r.reason,
    item: r.item,
    inserted_at: insertedAt,
  };
}

/** Columns every root table gets, and every child table gets. */
export function rootSystemColumns(): Column[] {
  return [col(C_LOAD_ID, "text"), col(C_ID, "text")];
}

export function childSystemColumns(): Column[] {
  return [col(C_ROOT_ID, "text"), col(C_PARENT_ID, "text"), col(C_LIST_IDX, "bigint"), col(C_ID, "text")];
}
