import type { LoadRequest } from "../destination.js";
import { SqlJobClient } from "../sql/job-client.js";
import type { DuckDbConnection } from "./connection.js";
import { duckdbDialect } from "./dialect.js";
import { LOAD_THREADS, packageMemoryMb } from "./load-memory.js";

/**
 * The shared SQL load, with DuckDB held to what a package needs while it loads: `LOAD_THREADS`
 * threads and a `memory_limit` sized to read_json's buffers for its longest line and to its tables
 * (`packageMemoryMb`), then the instance's own settings again.
 *
 * Why (bench/memory, the 1M-row package replayed in a fresh process, 2 cores): at DuckDB's two
 * threads and the 192 MB default the load peaked 263 MiB against 186 MiB for 100k rows: every block
 * it wrote stayed cached, and the checkpoint at close (5 s) merged the row groups the two threads
 * had written, +50 MiB. One thread at 64 MB peaked 186 MiB, the checkpoint ran at COMMIT in 0.7 s,
 * and the whole load took no longer. Two threads need 96 MB for the buffers (64 MB failed with Out
 * of Memory) and still paid the checkpoint's merge (238 MiB peak).
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
    const mb = packageMemoryMb(req.jobs);
    await this.conn.execute(`SET threads = ${LOAD_THREADS}`);
    try {
      await this.conn.execute(`SET memory_limit = '${mb}MB'`);
      await super.load(req);
      // The package goes into the database file now, under these settings, not at close: DuckDB
      // checkpoints at COMMIT only when the write-ahead log is large, and rows it wrote to the file
      // during the INSERTs leave the log small. (It runs while other connections hold transactions.)
      await this.conn.execute("CHECKPOINT");
    } finally {
      await this.conn.execute(`SET memory_limit = '${this.ordinaryMb}MB'`);
      await this.conn.execute("RESET threads");
    }
  }
}
