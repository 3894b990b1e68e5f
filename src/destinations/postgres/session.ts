import type { ResultRow } from "../destination.js";
import type { SqlConnection } from "../sql/sql-connection.js";
import type { CopyChunk } from "./copy-text.js";

/**
 * A Postgres session as the dialect needs it: SQL plus COPY of text-format rows. Two backends
 * implement it: a `pg` client (COPY FROM STDIN through pg-copy-streams) and PGlite (COPY from
 * a blob). Only this folder knows which one it talks to.
 */
export interface PgSession extends SqlConnection {
  /**
   * `COPY <target> (<columns>) FROM ...` in text format with the rows of `chunks`, streamed.
   * On a rejected row the thrown error carries `copyLine`: the row's number in `chunks` (1-based).
   */
  copyRows(target: string, columns: string[], chunks: AsyncIterable<CopyChunk>): Promise<void>;
  /**
   * Exactly one statement, sent with the extended query protocol, so the server itself refuses a
   * second one (`select 1; commit; ...`). For users' SQL.
   */
  queryOne(sql: string): Promise<{ columns: string[]; rows: ResultRow[] }>;
}

/** The row number in a COPY error's context (`COPY t, line 3, column a: ...`). */
export function copyLineOf(err: unknown): number | undefined {
  const where = (err as { where?: unknown } | null)?.where;
  const m = typeof where === "string" ? /line (\d+)/.exec(where) : null;
  return m ? Number(m[1]) : undefined;
}
