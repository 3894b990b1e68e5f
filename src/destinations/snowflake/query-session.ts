import type { QueryAnswer, QueryLimits, QuerySession } from "../query-session.js";
import { QueryError, queryError } from "../query-session.js";
import type { SnowflakeConnection } from "./connection.js";

/**
 * A user's queries on Snowflake. Snowflake has no read-only session or transaction, so only a
 * query runs: the statement is first compiled as a subquery (`SELECT * FROM (<sql>) WHERE FALSE`),
 * which only a single query expression survives (DML, DDL, PUT, CALL and a second statement are
 * syntax errors there), then run as given with at most `maxRows + 1` rows fetched. The SDK sends
 * one statement per request (MULTI_STATEMENT_COUNT 1) and the session's STATEMENT_TIMEOUT_IN_SECONDS
 * is the limit's timeout. For defence in depth give the role the dashboard uses only USAGE on the
 * database and schema and SELECT on the tables (functions such as SYSTEM$CANCEL_ALL_QUERIES are
 * queries too).
 */
export class SnowflakeQuerySession implements QuerySession {
  constructor(
    readonly datasetName: string,
    private readonly conn: SnowflakeConnection,
    private readonly limits: QueryLimits,
  ) {}

  async query(sql: string): Promise<QueryAnswer> {
    const text = sql.trim().replace(/;\s*$/, "");
    try {
      try {
        await this.conn.execute(`SELECT * FROM (\n${text}\n) AS sage_pipeline_query WHERE FALSE`);
      } catch (err) {
        throw new QueryError(`only a single query (SELECT or WITH ... SELECT) runs here: ${(err as Error).message}`, {
          cause: err,
        });
      }
      const r = await this.conn.queryCapped(text, this.limits.maxRows + 1);
      return { columns: r.columns, rows: r.rows.slice(0, this.limits.maxRows), truncated: r.rows.length > this.limits.maxRows };
    } catch (err) {
      throw queryError(err);
    }
  }

  async tableNames(): Promise<string[]> {
    const rows = await this.conn.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
      [this.datasetName.toUpperCase()],
    );
    return rows.map((r) => String(r.table_name).toLowerCase());
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}
