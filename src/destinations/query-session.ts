import { configSpec, field } from "../config/spec.js";
import type { ConfigResolver } from "../config/resolver.js";
import { ConfigError } from "../util/errors.js";
import type { ConnectOptions, ResultRow } from "./destination.js";

/**
 * `[query]`: the limits of every surface that runs a user's SQL (the dashboard's query box, later
 * an MCP server). What a query may touch is not configurable: the session is read-only by
 * construction (see `QuerySession`).
 */
export const QUERY_SPEC = configSpec({
  title: "read-only query sessions (dashboard)",
  section: ["query"],
  fields: {
    maxRows: field.integer({
      doc: "most rows one answer holds; the rest are cut off and the answer says it was truncated",
      default: 500,
      min: 1,
      max: 100_000,
    }),
    timeoutSeconds: field.number({
      doc: "longest a query may run before the database cancels it (Postgres statement_timeout)",
      default: 30,
      positive: true,
    }),
  },
});

export interface QueryLimits {
  /** Most rows one answer holds. */
  maxRows: number;
  /** Longest one statement may run, in milliseconds. */
  timeoutMs: number;
}

export function queryLimits(config: ConfigResolver): QueryLimits {
  const { values } = config.resolve(QUERY_SPEC);
  return { maxRows: values.maxRows, timeoutMs: Math.round(values.timeoutSeconds * 1000) };
}

export interface QueryOptions extends ConnectOptions, QueryLimits {
  /**
   * The location the pipeline recorded when it last ran (`duckdb:/abs/file.duckdb`): a destination
   * whose data is a local file opens that one, never a default path resolved from the current dir.
   */
  recordedLocation?: string;
}

export interface QueryAnswer {
  columns: string[];
  rows: ResultRow[];
  /** More rows than `maxRows` matched; `rows` holds the first `maxRows`. */
  truncated: boolean;
}

/**
 * A session that runs a user's SQL against one dataset, read-only by construction: the database
 * itself refuses writes, file access outside the dataset, extensions and network access, and the
 * session cannot lift those limits (DuckDB: READ_ONLY + enable_external_access=false +
 * lock_configuration; Postgres: a READ ONLY transaction with statement_timeout, rolled back).
 * Nothing here filters keywords. One statement per call; at most `maxRows` rows come back.
 */
export interface QuerySession {
  readonly datasetName: string;
  query(sql: string): Promise<QueryAnswer>;
  /** Names of the dataset's tables. */
  tableNames(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The database refused or failed a user's query. The message is the database's own; the fix is
 * the user's (exit 2, HTTP 400).
 */
export class QueryError extends ConfigError {}

/** Wrap what the database threw as a QueryError carrying the database's message. */
export function queryError(err: unknown): QueryError {
  if (err instanceof QueryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new QueryError(message, { cause: err });
}
