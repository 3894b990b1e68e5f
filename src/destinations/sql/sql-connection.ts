import type { ResultRow } from "../destination.js";

/** The least a SQL driver must offer to host the shared load logic. Params use `$1, $2...`. */
export interface SqlConnection {
  execute(sql: string, params?: unknown[]): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<ResultRow[]>;
  close(): Promise<void>;
}
