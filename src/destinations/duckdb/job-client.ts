import type { LoadRequest } from "../destination.js";
import { SqlJobClient } from "../sql/job-client.js";
import type { DuckDbConnection } from "./connection.js";
import { duckdbDialect } from "./dialect.js";
import { loadMemoryMb, maxRowBytesOf } from "./load-memory.js";

/**
 * The shared SQL load, with DuckDB's `memory_limit` raised for one package when the user set none
 * and its lines need more than the default (read_json's buffers grow with the longest line: at
 * 192 MB a 40 MB line failed with Out of Memory on 2 threads), then the default again, so one wide
 * package does not leave a large cache to the loads after it.
 */
export class DuckDbJobClient extends SqlJobClient {
  constructor(
    datasetName: string,
    conn: DuckDbConnection,
    /** The instance's limit, in MB (`defaultMemoryLimitMb()`). */
    private readonly ordinaryMb: number,
  ) {
    super(datasetName, conn, duckdbDialect);
  }

  override async load(req: LoadRequest): Promise<void> {
    const mb = loadMemoryMb(maxRowBytesOf(req.jobs));
    if (mb <= this.ordinaryMb) return super.load(req);
    await this.conn.execute(`SET memory_limit = '${mb}MB'`);
    try {
      await super.load(req);
    } finally {
      await this.conn.execute(`SET memory_limit = '${this.ordinaryMb}MB'`);
    }
  }
}
