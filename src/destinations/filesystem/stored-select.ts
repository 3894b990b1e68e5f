import type { Column } from "../../schema/types.js";
import type { DuckDbConnection } from "../duckdb/connection.js";
import { duckColumnType, duckLiteral, duckQuote, readJsonSelect } from "../duckdb/read-json.js";
import type { DataFormat } from "./layout.js";

export interface LocalDataFile {
  /** Local path (the file itself, or a download of it). */
  path: string;
  format: DataFormat;
}

/**
 * A DuckDB SELECT over a table's data files, whatever mix of formats they are in (the format
 * may change between loads), with exactly `columns`, typed as the schema says. Files written
 * before a column existed give NULL for it. With `filename`, a `filename` column names each
 * row's file (its local path). `maxRowBytes`: the longest JSON line, to size DuckDB's reader.
 */
export async function storedSelect(
  duck: DuckDbConnection,
  columns: Column[],
  files: LocalDataFile[],
  filename = false,
  maxRowBytes = 0,
): Promise<string> {
  const json = files.filter((f) => f.format !== "parquet").map((f) => f.path);
  const parquet = files.filter((f) => f.format === "parquet").map((f) => f.path);
  const parts: string[] = [];
  if (json.length > 0) {
    parts.push(readJsonSelect(columns, json, filename ? ["filename"] : [], filename ? ", filename = true" : "", maxRowBytes));
  }
  if (parquet.length > 0) {
    const list = `[${parquet.map(duckLiteral).join(", ")}]`;
    const described = await duck.query(`DESCRIBE SELECT * FROM read_parquet(${list}, union_by_name = true)`);
    const present = new Set(described.map((r) => String(r.column_name)));
    const select = columns.map((c) =>
      present.has(c.name)
        ? `CAST(${duckQuote(c.name)} AS ${duckColumnType(c)}) AS ${duckQuote(c.name)}`
        : `CAST(NULL AS ${duckColumnType(c)}) AS ${duckQuote(c.name)}`,
    );
    if (filename) select.push("filename");
    parts.push(
      `SELECT ${select.join(", ")} FROM read_parquet(${list}, union_by_name = true${filename ? ", filename = true" : ""})`,
    );
  }
  if (parts.length === 0) {
    return readJsonSelect(columns, [], filename ? ["CAST(NULL AS VARCHAR) AS filename"] : []);
  }
  return parts.join(" UNION ALL ");
}
