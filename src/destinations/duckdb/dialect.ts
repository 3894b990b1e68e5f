import type { Table } from "../../schema/types.js";
import type { LoadJob } from "../destination.js";
import type { SqlDialect } from "../sql/dialect.js";
import { maxRowBytesOf } from "./load-memory.js";
import { duckColumnType, duckLiteral, duckQuote, readJsonSelect } from "./read-json.js";

export const duckdbDialect: SqlDialect = {
  name: "duckdb",
  quote: duckQuote,
  literal: duckLiteral,
  columnType: duckColumnType,
  addColumn: (qualified, c) => `ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS ${duckQuote(c.name)} ${duckColumnType(c)}`,
  // The load files are read in place by DuckDB's parallel JSON reader: no staging copy.
  ingest: {
    kind: "read-in-place",
    select: (table: Table, jobs: LoadJob[]) =>
      readJsonSelect(
        Object.values(table.columns),
        jobs.map((j) => j.path),
        [],
        "",
        maxRowBytesOf(jobs),
      ),
  },
};
