import type { ReservedSchemas } from "../dataset-name.js";
import type { Table } from "../../schema/types.js";
import type { LoadJob } from "../destination.js";
import type { SqlDialect } from "../sql/dialect.js";
import { maxRowBytesOf } from "./load-memory.js";
import { duckColumnType, duckLiteral, duckQuote, readJsonSelect } from "./read-json.js";

/** Schema names a DuckDB dataset cannot take: `system` and `temp` are catalogs of every instance. */
export const DUCKDB_RESERVED_SCHEMAS: ReservedSchemas = {
  names: ["system", "temp", "information_schema", "pg_catalog"],
  ignoreCase: true,
};

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
