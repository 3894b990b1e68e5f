import { ansiIdentifiersTo } from "../sql/index.js";
import { bqQuote } from "./dialect.js";

/** SQL as DuckDB and Postgres take it, with `"name"` re-quoted as BigQuery's `` `name` `` (see ansiIdentifiersTo). */
export function ansiIdentifiersToBigQuery(sql: string): string {
  return ansiIdentifiersTo(sql, bqQuote);
}
