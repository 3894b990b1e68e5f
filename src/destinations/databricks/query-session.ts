import type { QueryAnswer, QueryLimits, QuerySession } from "../query-session.js";
import { QueryError, queryError } from "../query-session.js";
import type { DatabricksConnection } from "./connection.js";

/**
 * A user's queries on Databricks. Databricks has no read-only session or transaction, so only a
 * query runs: the statement is first compiled as a subquery (`SELECT * FROM (<sql>) WHERE FALSE`),
 * which only a single query expression survives (DML, DDL, SET, COPY INTO, PUT and a second
 * statement are syntax errors there), then run as given with at most `maxRows + 1` rows fetched
 * (`DESCRIBE QUERY` first, as every read of this destination: values.ts). The session's
 * `STATEMENT_TIMEOUT` is the limit's timeout. A query can still name files by path
 * (`text.\`/path\``, `read_files`): on Databricks that needs `SELECT ON ANY FILE` or an external
 * location's READ FILES, so give the principal the dashboard uses only USE CATALOG / USE SCHEMA and
 * SELECT on the dataset's tables (Unity Catalog then refuses files, writes and other schemas).
 */
export class DatabricksQuerySession implements QuerySession {
  constructor(
    readonly datasetName: string,
    private readonly conn: DatabricksConnection,
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
      const r = await this.conn.query(text, this.limits.maxRows);
      return { columns: r.columns, rows: r.rows.slice(0, this.limits.maxRows), truncated: r.rows.length > this.limits.maxRows };
    } catch (err) {
      throw queryError(err);
    }
  }

  async tableNames(): Promise<string[]> {
    const rows = await this.conn.raw(`SHOW TABLES IN \`${this.datasetName.replace(/`/g, "``")}\``);
    return rows
      .filter((r) => r.isTemporary !== true)
      .map((r) => String(r.tableName))
      .sort();
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}
