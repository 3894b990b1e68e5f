import type { Table } from "../../schema/types.js";
import type { SqlDialect } from "./dialect.js";

/** Data columns first, then `_dlt_*` bookkeeping columns, so `select *` reads naturally. */
export function orderedColumns(table: Table) {
  const cols = Object.values(table.columns);
  return [...cols.filter((c) => !c.system), ...cols.filter((c) => c.system)];
}

export function createTableSql(d: SqlDialect, qualified: string, table: Table): string {
  const defs = orderedColumns(table).map((c) => `${d.quote(c.name)} ${d.columnType(c)}${c.nullable ? "" : " NOT NULL"}`);
  return `CREATE TABLE IF NOT EXISTS ${qualified} (${defs.join(", ")})`;
}
