import type { Table } from "../../schema/types.js";
import { orderedColumns } from "../sql/ddl.js";
import type { DuckDbConnection } from "../duckdb/connection.js";
import { duckLiteral, duckQuote } from "../duckdb/read-json.js";
import { type LocalDataFile, storedSelect } from "./stored-select.js";

/**
 * The dataset API on files: one DuckDB view per table over its visible files, in a schema named
 * like the dataset, which is also made the default schema, so both `"dataset"."table"` and a
 * bare `table` resolve as on a SQL destination.
 */
export async function createDatasetViews(
  duck: DuckDbConnection,
  datasetName: string,
  tables: Table[],
  filesOf: (table: string) => Promise<LocalDataFile[]>,
  maxRowBytes = 0,
): Promise<void> {
  const schema = duckQuote(datasetName);
  await duck.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await duck.execute(`CREATE SCHEMA ${schema}`);
  for (const t of tables) {
    const columns = orderedColumns(t);
    if (columns.length === 0) continue;
    const select = await storedSelect(duck, columns, await filesOf(t.name), false, maxRowBytes);
    await duck.execute(`CREATE VIEW ${schema}.${duckQuote(t.name)} AS ${select}`);
  }
  await duck.execute(`SET schema = ${duckLiteral(datasetName)}`);
}
