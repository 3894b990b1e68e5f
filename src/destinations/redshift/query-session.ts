import type { PgSession } from "../postgres/session.js";
import type { QueryAnswer, QueryLimits, QuerySession } from "../query-session.js";
import { queryError } from "../query-session.js";

/**
 * A user's queries on Redshift, each in its own `BEGIN READ ONLY` transaction that is rolled
 * back: the cluster refuses every write in it. A statement timeout cancels long queries. The
 * statement runs as a cursor (`DECLARE ... CURSOR FOR <sql>`, which takes a query only), and
 * `FETCH` reads at most `maxRows + 1` rows. Sent with the extended protocol: one statement only.
 * Postgres' extra checks (roles that read server files, large objects) have no Redshift
 * counterpart and are not made here.
 */
export class RedshiftQuerySession implements QuerySession {
  constructor(
    readonly datasetName: string,
    private readonly conn: PgSession,
    private readonly limits: QueryLimits,
  ) {}

  private async readOnly<T>(fn: () => Promise<T>): Promise<T> {
    await this.conn.execute("BEGIN READ ONLY");
    try {
      await this.conn.execute(`SET statement_timeout TO ${Math.max(1, Math.round(this.limits.timeoutMs))}`);
      // The first snapshot is taken before the user's statement: it cannot switch the transaction.
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
        await this.conn.queryOne(`DECLARE sage_pipeline_query CURSOR FOR ${text}\n`);
        const r = await this.conn.queryOne(`FETCH FORWARD ${this.limits.maxRows + 1} FROM sage_pipeline_query`);
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
