import { DuckDBInstance } from "@duckdb/node-api";

export interface TableShape {
  rows: number;
  /** column name → DuckDB type, in table order */
  columns: Map<string, string>;
}

/** Every table of one schema in a DuckDB file: its row count and its columns with their types. */
export async function describeTables(file: string, schema: string): Promise<Map<string, TableShape>> {
  const inst = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
  const c = await inst.connect();
  try {
    const cols = await c.runAndReadAll(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $s ORDER BY table_name, ordinal_position`,
      { s: schema },
    );
    const out = new Map<string, TableShape>();
    for (const [t, col, type] of cols.getRows() as Array<[string, string, string]>) {
      let shape = out.get(t);
      if (!shape) out.set(t, (shape = { rows: 0, columns: new Map() }));
      shape.columns.set(col, type);
    }
    for (const [t, shape] of out) {
      const n = await c.runAndReadAll(`SELECT count(*) FROM "${schema}"."${t.replaceAll('"', '""')}"`);
      shape.rows = Number(n.getRows()[0]![0]);
    }
    return out;
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}
