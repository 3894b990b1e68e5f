import { existsSync, mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import type { ConfigResolver } from "../../config/resolver.js";
import {
  type Capabilities,
  CapabilitiesBase,
  type ConnectOptions,
  type Destination,
  type DestinationClient,
} from "../destination.js";
import type { QueryOptions, QuerySession } from "../query-session.js";
import { SqlJobClient } from "../sql/job-client.js";
import { ConfigError } from "../../util/errors.js";
import { DuckDbConnection } from "./connection.js";
import { refuseReservedDataset } from "../dataset-name.js";
import { DUCKDB_RESERVED_SCHEMAS, duckdbDialect } from "./dialect.js";
import { DuckDbJobClient } from "./job-client.js";
import { DuckDbQuerySession } from "./query-session.js";
import { DUCKDB_SPEC } from "./spec.js";

export interface DuckDbOptions {
  /** Path of the database file; default `<pipeline_name>.duckdb` in the current directory. */
  credentials?: string;
  /** DuckDB's `memory_limit` for loads into a file (`1GB`); default `defaultMemoryLimit()`. */
  memoryLimit?: string;
}

/**
 * The instance's limit outside loads (a load sets its own, `packageMemoryMb`): 96 MB per core, at
 * least 192 MB. Without a cap DuckDB keeps up to 80% of RAM cached, so its memory grows with what
 * it reads and writes; DuckDB spills what does not fit. Per core, because each of DuckDB's threads
 * needs working memory of its own. (96 MB on 2 cores failed queries and loads of the test suite
 * with Out of Memory.)
 */
export function defaultMemoryLimitMb(): number {
  return Math.max(192, 96 * availableParallelism());
}

export function defaultMemoryLimit(): string {
  return `${defaultMemoryLimitMb()}MB`;
}

class DuckDbCapabilities extends CapabilitiesBase {
  override readonly maxIdentifierLength = 65536;
  override readonly singleWriter = true;
  /**
   * read_json holds less memory over smaller files (it reads in 32 MB buffers either way). bench/memory's
   * 1M-row package replayed at the load's limit on one thread, 2 cores, peak RSS by file size: 64 MB
   * 187-191 MiB, 32 MB 183-187, 16 MB 160-174, 8 MB 154-168, in the same CPU time (2.8-3.2 s); 16 MB
   * takes most of it with a quarter of the files. Normalize + load of the normalize-load bench: 3.49-3.76 s
   * against 3.49-3.73 s with 64 MB files.
   */
  override readonly loadFileMaxBytes = 16 * 1024 * 1024;
}

export const DUCKDB_CAPABILITIES: Capabilities = new DuckDbCapabilities();

export class DuckDbDestination implements Destination {
  readonly name = "duckdb";
  readonly capabilities = DUCKDB_CAPABILITIES;

  constructor(private readonly options: DuckDbOptions = {}) {}

  path(o: ConnectOptions): string {
    const p = this.options.credentials;
    if (p === ":memory:") return p;
    return resolve(p ?? `${o.pipelineName}.duckdb`);
  }

  location(o: ConnectOptions): string {
    return `duckdb:${this.path(o)}`;
  }

  async connect(o: ConnectOptions): Promise<DestinationClient> {
    refuseReservedDataset("DuckDB", o.datasetName, DUCKDB_RESERVED_SCHEMAS);
    const path = this.path(o);
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    // An in-memory database has nowhere of its own to spill to: DuckDB's default for it. A limit
    // the user set holds for every load (and an Out of Memory then names it); without one, each
    // load sets its own (DuckDbJobClient).
    const settings: Record<string, string> =
      path === ":memory:" ? {} : { memory_limit: this.options.memoryLimit ?? defaultMemoryLimit() };
    const conn = await DuckDbConnection.open(path, settings);
    await conn.execute(`CREATE SCHEMA IF NOT EXISTS ${duckdbDialect.quote(o.datasetName)}`);
    await conn.execute(`SET schema = ${duckdbDialect.literal(o.datasetName)}`);
    if (path === ":memory:") return new SqlJobClient(o.datasetName, conn, duckdbDialect);
    const user = this.options.memoryLimit;
    return new DuckDbJobClient(o.datasetName, conn, user === undefined ? { ordinaryMb: defaultMemoryLimitMb() } : { user });
  }

  /** The file the pipeline recorded (else the configured one), opened read-only; never created. */
  async openQuerySession(o: QueryOptions): Promise<QuerySession> {
    refuseReservedDataset("DuckDB", o.datasetName, DUCKDB_RESERVED_SCHEMAS);
    const recorded = o.recordedLocation?.startsWith("duckdb:") ? o.recordedLocation.slice("duckdb:".length) : undefined;
    const path = recorded && recorded !== ":memory:" ? recorded : this.path(o);
    if (path === ":memory:" || !existsSync(path)) {
      throw new ConfigError(`cannot find the DuckDB database of pipeline ${o.pipelineName} at ${path}`, {
        hint: "run the pipeline first, or run this from the folder it runs in (or set DESTINATION__DUCKDB__CREDENTIALS to its file)",
      });
    }
    let conn: DuckDbConnection;
    try {
      conn = await DuckDbConnection.openReadOnly(path, o.datasetName);
    } catch (err) {
      throw new ConfigError(`cannot open the DuckDB database ${path} read-only: ${(err as Error).message}`, {
        cause: err,
        hint: "a running load holds the file; try again when it has finished",
      });
    }
    return new DuckDbQuerySession(o.datasetName, conn, o);
  }
}

export function duckdb(options?: DuckDbOptions): DuckDbDestination {
  return new DuckDbDestination(options);
}

/** `[destination.duckdb] credentials` (DUCKDB_SPEC). */
export function destinationFromConfig(config: ConfigResolver): DuckDbDestination {
  const { credentials, memoryLimit } = config.resolve(DUCKDB_SPEC).values;
  return duckdb({
    ...(credentials !== undefined ? { credentials } : {}),
    ...(memoryLimit !== undefined ? { memoryLimit } : {}),
  });
}
