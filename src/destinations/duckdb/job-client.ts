import type { LoadRequest, ResultRow } from "../destination.js";
import { SqlJobClient } from "../sql/job-client.js";
import type { SqlConnection } from "../sql/sql-connection.js";
import type { DuckDbConnection } from "./connection.js";
import { duckdbDialect } from "./dialect.js";
import { LOAD_THREADS, ceilingMb, packageMemoryMb } from "./load-memory.js";
import { TerminalError, errorMessage } from "../../util/errors.js";
import { logger } from "../../util/logger.js";

const log = logger("destinations:duckdb");

/** DuckDB's words when a statement needs more than its `memory_limit`. */
const OUT_OF_MEMORY = /Out of Memory|could not allocate block|failed to pin block/i;

/**
 * How a DuckDB file is loaded: at the limit the user set, or (none set) sized per package.
 *
 * Sized, DuckDB runs on `LOAD_THREADS` threads while a package loads, and each statement that reads
 * its load files runs at a `memory_limit` sized to read_json's buffers for its longest line, to its
 * tables and to its widest table (`packageMemoryMb`); every other statement, COMMIT (which may
 * checkpoint) included, at the instance's limit, or the whole load at the package's limit where
 * that is higher. The load ends with a CHECKPOINT.
 *
 * Why (bench/memory, the 1M-row package replayed in a fresh process, 2 cores): at DuckDB's two
 * threads and the 192 MB default the load peaked 263 MiB against 186 MiB for 100k rows: every block
 * it wrote stayed cached, and the checkpoint at close (5 s) merged the row groups the two threads
 * had written, +50 MiB. One thread at 64 MB peaked 186 MiB, the checkpoint ran at COMMIT in 0.7 s,
 * and the whole load took no longer. Two threads need 96 MB for the buffers (64 MB failed with Out
 * of Memory) and still paid the checkpoint's merge (238 MiB peak). The checkpoint itself must not
 * run at the small limit: the Sage e2e's second (merge) run failed there to pin a block and DuckDB
 * invalidated the database.
 *
 * A package that runs out of memory anyway (the estimate is measured, not exact) rolled back whole;
 * it loads again with the whole load at twice the limit, up to `ceilingMb()`. Past that, or at a
 * limit the user set, running again cannot help: a TerminalError names the setting.
 */
export class DuckDbJobClient extends SqlJobClient {
  private readonly sized: SizedReads;

  constructor(
    datasetName: string,
    conn: DuckDbConnection,
    /** Sized per package around the instance's limit in MB (`defaultMemoryLimitMb()`), or the limit the user set. */
    private readonly limit: { ordinaryMb: number } | { user: string },
  ) {
    const sized = new SizedReads(conn);
    super(datasetName, sized, duckdbDialect);
    this.sized = sized;
  }

  override async load(req: LoadRequest): Promise<void> {
    if ("user" in this.limit) {
      try {
        await super.load(req);
        return;
      } catch (err) {
        throw OUT_OF_MEMORY.test(errorMessage(err)) ? this.outOfMemory(req, this.limit.user, 0, err) : err;
      }
    }
    const ordinary = this.limit.ordinaryMb;
    const planned = packageMemoryMb(req.jobs, req.schema);
    await this.conn.execute(`SET threads = ${LOAD_THREADS}`);
    try {
      // Below the instance's limit only the reads go down; above it the whole load goes up.
      let whole = Math.max(ordinary, planned);
      this.sized.read = planned < ordinary ? { mb: planned, ordinaryMb: ordinary } : undefined;
      for (;;) {
        try {
          await this.atLimit(whole, ordinary, () => super.load(req));
          break;
        } catch (err) {
          // The transaction rolled back; a read that failed at its limit left that limit set.
          await this.conn.execute(`SET memory_limit = '${ordinary}MB'`).catch(() => undefined);
          if (!OUT_OF_MEMORY.test(errorMessage(err))) throw err;
          const tried = this.sized.read?.mb ?? whole;
          if (tried >= ceilingMb()) throw this.outOfMemory(req, `${tried}MB`, tried, err);
          whole = Math.max(ordinary, Math.min(2 * tried, ceilingMb()));
          this.sized.read = undefined;
          log.warn(`load ${req.loadId}: DuckDB ran out of memory at ${tried} MB; loading the package again at ${whole} MB`);
        }
      }
      // The package goes into the database file now, not at close: DuckDB checkpoints at COMMIT
      // only when the write-ahead log is large, and rows it wrote to the file during the INSERTs
      // leave the log small. (It runs while other connections hold transactions.)
      await this.conn.execute("CHECKPOINT");
    } finally {
      this.sized.read = undefined;
      await this.conn.execute("RESET threads");
    }
  }

  /** `fn` with DuckDB's limit at `mb`, then `ordinary` again (after the load's transaction; on failure, `load` restores it). */
  private async atLimit(mb: number, ordinary: number, fn: () => Promise<void>): Promise<void> {
    if (mb === ordinary) return fn();
    await this.conn.execute(`SET memory_limit = '${mb}MB'`);
    await fn();
    await this.conn.execute(`SET memory_limit = '${ordinary}MB'`);
  }

  /** Terminal: at the same limit the package fails the same way. `triedMb`: 0 when the user set it. */
  private outOfMemory(req: LoadRequest, limit: string, triedMb: number, cause: unknown): TerminalError {
    const needs = Math.max(2 * triedMb, packageMemoryMb(req.jobs, req.schema));
    const at = needs >= 1024 ? `${Math.ceil(needs / 1024)}GB` : `${Math.ceil(needs / 64) * 64}MB`;
    return new TerminalError(
      `DuckDB ran out of memory loading package ${req.loadId} at memory_limit ${limit}: ${errorMessage(cause).split("\n")[0]}`,
      {
        cause,
        hint: `nothing of the package was loaded (its transaction rolled back); set [destination.duckdb] memory_limit (DESTINATION__DUCKDB__MEMORY_LIMIT) to ${at} or more (a wide table needs ~0.7 MB a column) and run again`,
      },
    );
  }
}

/**
 * The connection, with statements that read load files (`read_json`) run at `read.mb` when set.
 *
 * Inside the load's transaction any failed statement aborts it, and every later one then fails with
 * "Current transaction is aborted": so a read that failed is not followed by the SET that restores
 * the limit (which would fail and hide the read's Out of Memory behind that message); the load
 * rolls back and the restore runs outside the transaction (`DuckDbJobClient.atLimit`, RESET after
 * the loop). A SET that DuckDB refuses throws as it is: the load then runs again at full limits.
 */
class SizedReads implements SqlConnection {
  read: { mb: number; ordinaryMb: number } | undefined;

  constructor(private readonly conn: DuckDbConnection) {}

  async execute(sql: string, params?: unknown[]): Promise<void> {
    const read = this.read;
    if (read === undefined || !sql.includes("read_json(")) return this.conn.execute(sql, params);
    await this.conn.execute(`SET memory_limit = '${read.mb}MB'`);
    await this.conn.execute(sql, params);
    await this.conn.execute(`SET memory_limit = '${read.ordinaryMb}MB'`);
  }

  query(sql: string, params?: unknown[]): Promise<ResultRow[]> {
    return this.conn.query(sql, params);
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}
