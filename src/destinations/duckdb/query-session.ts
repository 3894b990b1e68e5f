import type { QueryAnswer, QueryLimits, QuerySession } from "../query-session.js";
import { queryError } from "../query-session.js";
import type { DuckDbConnection } from "./connection.js";

/**
 * A user's queries on a locked-down DuckDB connection (see `DuckDbConnection.openReadOnly` and
 * `lockDown`): whatever the SQL says, DuckDB refuses writes and file, network and extension access.
 */
export class DuckDbQuerySession implements QuerySession {
  constructor(
    readonly datasetName: string,
    private readonly conn: DuckDbConnection,
    private readonly limits: QueryLimits,
    /** Only SELECT (the filesystem dataset: its data files are readable, so COPY TO could overwrite them). */
    private readonly selectOnly = false,
  ) {}

  async query(sql: string): Promise<QueryAnswer> {
    try {
      return await this.conn.readCapped(sql, this.limits.maxRows, this.limits.timeoutMs, this.selectOnly);
    } catch (err) {
      throw queryError(err);
    }
  }

  async tableNames(): Promise<string[]> {
    const rows = await this.conn.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
      [this.datasetName],
    );
    return rows.map((r) => String(r.table_name));
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}
