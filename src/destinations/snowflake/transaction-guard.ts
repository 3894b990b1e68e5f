import type { ResultRow } from "../destination.js";
import { PipelineError } from "../../util/errors.js";
import type { SqlConnection } from "../sql/sql-connection.js";

/** Statements that commit an open Snowflake transaction (DDL) or leave it (PUT, GET, REMOVE). */
const COMMITS =
  /^\s*(CREATE|ALTER|DROP|TRUNCATE|UNDROP|RENAME|COMMENT|GRANT|REVOKE|USE|PUT|GET|REMOVE|RM|BEGIN|START|COMMIT|ROLLBACK)\b/i;

/**
 * The connection the statements inside a Snowflake load transaction go through. Snowflake commits
 * the open transaction before any DDL statement, so one CREATE or DROP in the middle would make
 * half a package visible: this refuses such a statement (an internal error, the package stays
 * pending), except a `DROP TABLE` of a temporary table made before BEGIN, which it defers to
 * after the commit (the shared reconciliation SQL drops its key table when done).
 */
export class TransactionGuard implements SqlConnection {
  readonly deferred: string[] = [];

  constructor(
    private readonly conn: SqlConnection,
    private readonly temporary: ReadonlySet<string>,
  ) {}

  private check(sql: string): boolean {
    if (!COMMITS.test(sql)) return true;
    const drop = /^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\S+)\s*$/i.exec(sql);
    if (drop && this.temporary.has(drop[1]!)) {
      this.deferred.push(sql);
      return false;
    }
    throw new PipelineError(
      `internal error: a statement that commits Snowflake's transaction was sent inside the load transaction: ${sql.slice(0, 80)}`,
      {
        hint: "nothing was committed; report this with the statement above",
      },
    );
  }

  async execute(sql: string, params?: unknown[]): Promise<void> {
    if (this.check(sql)) await this.conn.execute(sql, params);
  }

  async query(sql: string, params?: unknown[]): Promise<ResultRow[]> {
    if (!this.check(sql)) return [];
    return this.conn.query(sql, params);
  }

  async close(): Promise<void> {
    // the underlying connection belongs to the client
  }
}
