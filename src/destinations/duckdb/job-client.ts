import type { LoadRequest, ResultRow } from "../destination.js";
import { SqlJobClient } from "../sql/job-client.js";
import type { SqlConnection } from "../sql/sql-connection.js";
import type { DuckDbConnection } from "./connection.js";
import { duckdbDialect } from "./dialect.js";
import { LOAD_THREADS, packageMemoryMb } from "./load-memory.js";
import { errorMessage } from "../../util/errors.js";
import { logger } from "../../util/logger.js";

const log = logger("destinations:duckdb");

/**
 * The shared SQL load, with DuckDB on `LOAD_THREADS` threads while a package loads, and each
 * statement that reads its load files at a `memory_limit` sized to read_json's buffers for its
 * longest line and to its tables (`packageMemoryMb`); every other statement, COMMIT (which may
 * checkpoint) included, at the instance's limit. The load ends with a CHECKPOINT.
 *
 * Why (bench/memory, the 1M-row package replayed in a fresh process, 2 cores): at DuckDB's two
 * threads and the 192 MB default the load peaked 263 MiB against 186 MiB for 100k rows: every block
 * it wrote stayed cached, and the checkpoint at close (5 s) merged the row groups the two threads
 * had written, +50 MiB. One thread at 64 MB peaked 186 MiB, the checkpoint ran at COMMIT in 0.7 s,
 * and the whole load took no longer. Two threads need 96 MB for the buffers (64 MB failed with Out
 * of Memory) and still paid the checkpoint's merge (238 MiB peak). The checkpoint itself must not
 * run at the small limit: the Sage e2e's second (merge) run failed there to pin a block and DuckDB
 * invalidated the database.
 */
export class DuckDbJobClient extends SqlJobClient {
  private readonly sized: SizedReads;

  constructor(
    datasetName: string,
    conn: DuckDbConnection,
    /** The instance's limit, in MB (`defaultMemoryLimitMb()`). */
    ordinaryMb: number,
  ) {
    const sized = new SizedReads(conn, ordinaryMb);
    super(datasetName, sized, duckdbDialect);
    this.sized = sized;
  }

  override async load(req: LoadRequest): Promise<void> {
    await this.conn.execute(`SET threads = ${LOAD_THREADS}`);
    this.sized.readMb = packageMemoryMb(req.jobs);
    try {
      try {
        await super.load(req);
      } catch (err) {
        // The small limit is sized from what the bench and the suite's packages needed; a package
        // that needs more must still load. Its transaction rolled back, so it loads again whole,
        // every statement at the instance's limit.
        if (!/Out of Memory/i.test(errorMessage(err))) throw err;
        log.warn(
          `load ${req.loadId}: DuckDB ran out of memory at ${this.sized.readMb} MB for reading load files; loading again at the instance's limit`,
        );
        this.sized.readMb = undefined;
        await super.load(req);
      }
      // The package goes into the database file now, not at close: DuckDB checkpoints at COMMIT
      // only when the write-ahead log is large, and rows it wrote to the file during the INSERTs
      // leave the log small. (It runs while other connections hold transactions.)
      await this.conn.execute("CHECKPOINT");
    } finally {
      this.sized.readMb = undefined;
      await this.conn.execute("RESET threads");
    }
  }
}

/** The connection, with statements that read load files (`read_json`) run at `readMb` when set. */
class SizedReads implements SqlConnection {
  readMb: number | undefined;

  constructor(
    private readonly conn: DuckDbConnection,
    private readonly ordinaryMb: number,
  ) {}

  async execute(sql: string, params?: unknown[]): Promise<void> {
    if (this.readMb === undefined || !sql.includes("read_json(")) return this.conn.execute(sql, params);
    // DuckDB refuses a limit below what it cannot evict (rows an earlier statement of the
    // transaction holds): the statement then runs at the instance's limit, as before.
    const lowered = await this.conn.execute(`SET memory_limit = '${this.readMb}MB'`).then(
      () => true,
      () => false,
    );
    try {
      await this.conn.execute(sql, params);
    } finally {
      if (lowered) await this.conn.execute(`SET memory_limit = '${this.ordinaryMb}MB'`);
    }
  }

  query(sql: string, params?: unknown[]): Promise<ResultRow[]> {
    return this.conn.query(sql, params);
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}
