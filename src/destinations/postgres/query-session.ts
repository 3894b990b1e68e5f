import type { QueryAnswer, QueryLimits, QuerySession } from "../query-session.js";
import { QueryError, queryError } from "../query-session.js";
import { logger } from "../../util/logger.js";
import type { PgSession } from "./session.js";

const log = logger("destinations:postgres");

/**
 * A user's queries on Postgres, each in its own `BEGIN READ ONLY` transaction that is rolled back:
 * the server refuses every write (`lo_create`, `nextval`, DDL, DML), and the first snapshot is
 * taken before the user's statement runs, so it cannot switch the transaction to read-write
 * (`set_config('transaction_read_only', ...)`). `statement_timeout` cancels long queries. The
 * statement runs as a cursor (`DECLARE ... CURSOR FOR <sql>`), which Postgres accepts only for a
 * query, and `FETCH` reads at most `maxRows + 1` rows, so a huge result is never sent whole. A
 * statement that took a transaction id wrote something (servers before 16 let `lo_create` pass
 * in a read-only transaction) and is refused.
 * Limit: server-side functions that read files (`pg_read_file`) are refused by privileges, not by
 * the transaction: give the role the dashboard uses no superuser or pg_read_server_files.
 */
const warned = new Set<string>();

export class PgQuerySession implements QuerySession {
  constructor(
    readonly datasetName: string,
    private readonly conn: PgSession,
    private readonly limits: QueryLimits,
  ) {}

  /** Opens the session; warns when its role can read server files (see the class comment). */
  static async open(datasetName: string, conn: PgSession, limits: QueryLimits): Promise<PgQuerySession> {
    const session = new PgQuerySession(datasetName, conn, limits);
    const [role] = await session.readOnly(() =>
      conn.query(
        "SELECT current_user AS name, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role(current_user, 'pg_read_server_files', 'MEMBER') AS reads_files",
      ),
    );
    if (role?.reads_files === true && !warned.has(String(role.name))) {
      warned.add(String(role.name));
      log.warn(
        `Postgres role ${String(role.name)} is a superuser or may read server files: a query could read files on the database server (the transaction is read-only, but pg_read_file is a read); give the dashboard a role without these`,
      );
    }
    return session;
  }

  private async readOnly<T>(fn: () => Promise<T>): Promise<T> {
    await this.conn.execute("BEGIN READ ONLY");
    try {
      await this.conn.execute(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(this.limits.timeoutMs))}`);
      await this.conn.query("SELECT 1");
      return await fn();
    } finally {
      await this.conn.execute("ROLLBACK").catch(() => undefined);
    }
  }

  async query(sql: string): Promise<QueryAnswer> {
    const text = sql.trim().replace(/;\s*$/, "");
    return this.readOnly(async () => {
      try {
        await this.conn.queryOne(`DECLARE sage_pipeline_query NO SCROLL CURSOR FOR ${text}\n`);
        const r = await this.conn.queryOne(`FETCH FORWARD ${this.limits.maxRows + 1} FROM sage_pipeline_query`);
        // Any write takes a transaction id, also those a read-only transaction lets through on
        // older servers (Postgres 15 allows lo_create there): refused; the rollback undoes it.
        const [wrote] = await this.conn.query("SELECT txid_current_if_assigned() IS NOT NULL AS wrote");
        if (wrote?.wrote === true) {
          throw new QueryError("the query wrote to the database; queries here are read-only (it was rolled back)");
        }
        return { columns: r.columns, rows: r.rows.slice(0, this.limits.maxRows), truncated: r.rows.length > this.limits.maxRows };
      } catch (err) {
        throw queryError(err);
      }
    });
  }

  async tableNames(): Promise<string[]> {
    return this.readOnly(async () => {
      const rows = await this.conn.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
        [this.datasetName],
      );
      return rows.map((r) => String(r.table_name));
    });
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}
