import type { QueryAnswer, QueryLimits, QuerySession } from "../query-session.js";
import { QueryError, queryError } from "../query-session.js";
import { ansiIdentifiersToBigQuery } from "./ansi-sql.js";
import type { BigQueryConnection } from "./connection.js";

/**
 * A user's queries on BigQuery. BigQuery has no read-only session, so BigQuery itself classifies
 * each statement first (a dry run: parsed and planned, nothing runs) and only a plain `SELECT`
 * runs, capped at `maxRows` rows and `timeoutMs` (the job's own timeout). A script, DML, DDL or
 * anything else is refused by its statement type, never by keywords. For defence in depth give
 * the credentials the dashboard uses only `roles/bigquery.dataViewer` on the dataset.
 */
export class BigQueryQuerySession implements QuerySession {
  constructor(
    readonly datasetName: string,
    private readonly conn: BigQueryConnection,
    private readonly limits: QueryLimits,
  ) {}

  async query(sql: string): Promise<QueryAnswer> {
    const text = ansiIdentifiersToBigQuery(sql);
    try {
      const type = await this.conn.statementType(text, this.datasetName);
      if (type !== "SELECT")
        throw new QueryError(`only SELECT statements run here (this is ${type ?? "not a single statement"})`);
      const r = await this.conn.queryCapped(text, this.limits.maxRows, this.datasetName, this.limits.timeoutMs);
      return { columns: r.columns, rows: r.rows, truncated: r.truncated };
    } catch (err) {
      throw queryError(err);
    }
  }

  async tableNames(): Promise<string[]> {
    const rows = await this.conn.query(
      `SELECT table_name FROM \`${this.datasetName.replace(/`/g, "")}\`.INFORMATION_SCHEMA.TABLES ORDER BY table_name`,
    );
    return rows.map((r) => String(r.table_name));
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}
