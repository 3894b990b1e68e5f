import { DuckDbConnection } from "../src/destinations/duckdb/connection.js";

export interface TableShape {
  rows: number;
  /** column name → DuckDB type, in table order */
  columns: Map<string, string>;
}

/**
 * Every table of one schema in a DuckDB file: its row count and its columns with their types.
 * Opened the way the product's query session opens a file, so a file named like its schema reads too.
 */
export async function describeTables(file: string, schema: string): Promise<Map<string, TableShape>> {
  const c = await DuckDbConnection.openReadOnly(file, schema);
  try {
    const cols = await c.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
      [schema],
    );
    const out = new Map<string, TableShape>();
    for (const { table_name: t, column_name: col, data_type: type } of cols) {
      let shape = out.get(String(t));
      if (!shape) out.set(String(t), (shape = { rows: 0, columns: new Map() }));
      shape.columns.set(String(col), String(type));
    }
    for (const [t, shape] of out) {
      const n = await c.query(`SELECT count(*) AS n FROM "${schema}"."${t.replaceAll('"', '""')}"`);
      shape.rows = Number(n[0]!.n);
    }
    return out;
  } finally {
    await c.close();
  }
}
