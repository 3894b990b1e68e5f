import type { QuerySession } from "../../destinations/query-session.js";
import type { Schema } from "../../schema/schema.js";
import type { Table } from "../../schema/types.js";
import { quoteText } from "./access.js";

export interface ColumnInfo {
  name: string;
  /** The database's type name (DECIMAL(38,9), VARCHAR, ...). */
  type: string;
  numeric: boolean;
  nullable: boolean;
  /** Primary or merge key, or a child table's link to its parent row. */
  key: boolean;
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT|DECIMAL|NUMERIC|DOUBLE|FLOAT|REAL|DOUBLE PRECISION|INT2|INT4|INT8|FLOAT4|FLOAT8)\b/i;

/** The dlt schema's table of that name in any of the pipeline's schemas. */
export function schemaTable(schemas: Schema[], table: string): Table | undefined {
  for (const s of schemas) {
    const t = s.toJSON().tables.find((x) => x.name === table);
    if (t) return t;
  }
  return undefined;
}

/** Key columns of a dlt table: primary and merge keys, then a child's parent link and list index. */
export function keyColumns(t: Table | undefined): string[] {
  if (!t) return [];
  const keys = Object.values(t.columns)
    .filter((c) => c.primaryKey || c.mergeKey)
    .map((c) => c.name);
  if (t.parent) keys.push(...["_dlt_parent_id", "_dlt_list_idx"].filter((c) => c in t.columns));
  return keys;
}

/**
 * The columns of a table as the database has them, in the order a person reads them: keys
 * first, then the data columns by name, the engine's `_dlt_*` columns last. Tables the
 * pipeline did not load (the accounting models) keep the order their SQL gives them.
 */
export async function tableColumns(session: QuerySession, table: string, dlt: Table | undefined): Promise<ColumnInfo[]> {
  const answer = await session.query(
    `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = ${quoteText(session.datasetName)} AND table_name = ${quoteText(table)} ORDER BY ordinal_position`,
  );
  const keys = keyColumns(dlt);
  const cols: ColumnInfo[] = answer.rows.map((r) => {
    const name = String(r.column_name);
    const type = String(r.data_type);
    return {
      name,
      type,
      numeric: NUMERIC.test(type),
      nullable: String(r.is_nullable).toUpperCase() === "YES",
      key: keys.includes(name),
    };
  });
  if (!dlt) return cols;
  // Sage's own `_path`-like columns after the data, the engine's `_dlt_*` last.
  const rank = (c: ColumnInfo) => (c.key ? 0 : c.name.startsWith("_dlt_") ? 3 : c.name.startsWith("_") ? 2 : 1);
  return [...cols].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (rank(a) === 0 ? keys.indexOf(a.name) - keys.indexOf(b.name) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
