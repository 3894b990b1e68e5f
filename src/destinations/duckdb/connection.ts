import { createRequire } from "node:module";
import type { DuckDBConnection, DuckDBInstance, DuckDBResultReader, DuckDBType } from "@duckdb/node-api";
import type { ResultRow } from "../destination.js";
import type { QueryAnswer } from "../query-session.js";
import type { SqlConnection } from "../sql/sql-connection.js";
import { duckLiteral, duckQuote } from "./read-json.js";

type DuckDBModule = typeof import("@duckdb/node-api");
let driver: Promise<DuckDBModule> | undefined;

/**
 * The driver is loaded on first use so that users of other destinations never load it. It is a
 * CommonJS package (no `exports`, `main: lib/index.js`): `require` loads it directly, where
 * `import()` first runs Node's CommonJS export lexer over each of its ~180 files to build ES
 * module facades, which costs ~120 ms of CPU more per process, before the first request of a run.
 */
function loadDriver(): Promise<DuckDBModule> {
  driver ??= Promise.resolve().then(() => createRequire(import.meta.url)("@duckdb/node-api") as DuckDBModule);
  return driver;
}

interface Shared {
  instance: Promise<DuckDBInstance>;
  refs: number;
}
const open = new Map<string, Shared>();

/**
 * One DuckDB connection. DuckDB allows one process per database file, so connections of this
 * process to one file share one instance, and the last one to close releases the file (and its
 * lock) so that another process, such as the CLI, can open it next.
 */
export class DuckDbConnection implements SqlConnection {
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly conn: DuckDBConnection,
    private readonly mod: DuckDBModule,
    /** Set for a private in-memory database, closed with this connection. */
    private readonly own?: DuckDBInstance,
  ) {}

  /**
   * A private in-memory database, shared with nobody (`open(":memory:")` is shared per process),
   * for scratch work such as the filesystem destination's views and merge planning. Attached
   * under FILE_CATALOG too: DuckDB's name for it, `memory`, may be a dataset's name.
   */
  static async openIsolated(): Promise<DuckDbConnection> {
    const mod = await loadDriver();
    const instance = await openAttached(mod, ":memory:", {});
    try {
      return new DuckDbConnection(":memory:", await connectTo(instance), mod, instance);
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }

  /**
   * A database file opened read-only with no way out: no file, network or extension access, and
   * the configuration locked, so a statement cannot turn any of it back on. Its own instance (the
   * shared read-write one of this process, if any, is left alone). Never creates the file.
   *
   * The instance itself opens the file READ_ONLY, not an in-memory database that attaches it:
   * DuckDB then refuses to attach any writable database later, `ATTACH ':memory:'` included. The
   * file is attached under FILE_CATALOG before external access is turned off (DuckDB lets one file
   * be attached twice when both are read-only) and the instance's first name for it detached.
   */
  static async openReadOnly(path: string, datasetName: string): Promise<DuckDbConnection> {
    const mod = await loadDriver();
    const { enable_external_access, ...noExtensions } = LOCKED_DOWN;
    const instance = await mod.DuckDBInstance.create(path, { access_mode: "READ_ONLY", ...noExtensions });
    try {
      const conn = await instance.connect();
      await attachAsDefault(conn, path, true);
      await conn.run(`SET enable_external_access = ${enable_external_access}`);
      await conn.run("SET TimeZone = 'UTC'");
      await conn.run(`SET schema = ${duckLiteral(datasetName)}`);
      await conn.run("SET lock_configuration = true");
      return new DuckDbConnection(path, conn, mod, instance);
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }

  /**
   * Lock this (isolated, in-memory) database down for a user's queries: file access only to
   * `allowedPaths` (exact files), no extensions or network, configuration locked.
   */
  async lockDown(allowedPaths: string[]): Promise<void> {
    const list = `[${allowedPaths.map((p) => duckLiteral(p)).join(", ")}]`;
    await this.conn.run(`SET allowed_paths = ${list}`);
    for (const [key, value] of Object.entries(LOCKED_DOWN)) await this.conn.run(`SET ${key} = '${value}'`);
    await this.conn.run("SET lock_configuration = true");
  }

  /**
   * `settings` (such as `memory_limit`) apply when this opens the file's instance, not when it
   * shares one. The instance starts in memory and attaches `path` (a file or `:memory:`) under
   * FILE_CATALOG, because DuckDB refuses to attach a file it opened itself a second time; a
   * file's spills go to `<file>.tmp`, where DuckDB puts them for a file it opens itself.
   */
  static async open(path: string, settings: Record<string, string> = {}): Promise<DuckDbConnection> {
    const mod = await loadDriver();
    let shared = open.get(path);
    if (!shared) {
      const spills: Record<string, string> = path === ":memory:" ? {} : { temp_directory: `${path}.tmp` };
      shared = { instance: openAttached(mod, path, { ...WRITER_SETTINGS, ...spills, ...settings }), refs: 0 };
      open.set(path, shared);
    }
    shared.refs++;
    try {
      return new DuckDbConnection(path, await connectTo(await shared.instance), mod);
    } catch (err) {
      await release(path);
      throw err;
    }
  }

  async execute(sql: string, params?: unknown[]): Promise<void> {
    await this.conn.run(sql, params as never);
  }

  async query(sql: string, params?: unknown[]): Promise<ResultRow[]> {
    return this.rowsOf(await this.conn.runAndReadAll(sql, params as never));
  }

  /**
   * One statement of a user's, at most `maxRows` rows of it (streamed, so a huge result is never
   * read whole), cancelled after `timeoutMs`. DuckDB's own parser counts the statements; with
   * `selectOnly` its classification of the statement must be SELECT.
   */
  async readCapped(sql: string, maxRows: number, timeoutMs: number, selectOnly: boolean): Promise<QueryAnswer> {
    const statements = await this.conn.extractStatements(sql);
    if (statements.count !== 1) throw new Error(`one statement at a time (got ${statements.count})`);
    const prepared = await statements.prepare(0);
    if (selectOnly && prepared.statementType !== this.mod.StatementType.SELECT) {
      throw new Error("only SELECT statements run here");
    }
    const cancel = { timedOut: false };
    const timer = setTimeout(() => {
      cancel.timedOut = true;
      this.conn.interrupt();
    }, timeoutMs);
    try {
      const reader = await prepared.streamAndReadUntil(maxRows + 1);
      const rows = this.rowsOf(reader);
      return { columns: reader.columnNames(), rows: rows.slice(0, maxRows), truncated: rows.length > maxRows };
    } catch (err) {
      if (cancel.timedOut) throw new Error(`the query ran longer than ${timeoutMs / 1000} s and was cancelled`, { cause: err });
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private rowsOf(reader: DuckDBResultReader): ResultRow[] {
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const js = reader.getRowsJS();
    const json = reader.getRowsJson();
    return js.map((row, i) => {
      const out: ResultRow = {};
      names.forEach((name, c) => {
        out[name] = convert(row[c], json[i]![c], types[c]!, this.mod);
      });
      return out;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.conn.closeSync();
    if (this.own) {
      this.own.closeSync();
      return;
    }
    await release(this.path);
  }
}

/**
 * The catalog (quoted) every database is attached under. DuckDB names a file it opens after the file
 * (`sage.duckdb` is catalog `sage`, compared without case), and a schema of that name in it makes
 * `sage.invoices` an "Ambiguous reference to catalog or schema": loads and queries fail. A dataset
 * name has no slash (NAME_RULE in pipeline/config.ts), so this one never equals a schema name.
 */
const FILE_CATALOG = duckQuote("destination/db");

/** `path` attached under FILE_CATALOG in a new in-memory instance, the in-memory database detached. */
async function openAttached(mod: DuckDBModule, path: string, settings: Record<string, string>): Promise<DuckDBInstance> {
  const instance = await mod.DuckDBInstance.create(":memory:", settings);
  try {
    const conn = await instance.connect();
    try {
      await attachAsDefault(conn, path, false);
    } finally {
      conn.closeSync();
    }
    return instance;
  } catch (err) {
    instance.closeSync();
    throw err;
  }
}

/** A connection of an `openAttached` instance. USE is per connection: a new one starts in the detached database. */
async function connectTo(instance: DuckDBInstance): Promise<DuckDBConnection> {
  const conn = await instance.connect();
  try {
    await conn.run(`USE ${FILE_CATALOG}`);
    await conn.run("SET TimeZone = 'UTC'");
    return conn;
  } catch (err) {
    conn.closeSync();
    throw err;
  }
}

/**
 * Attach `path` under FILE_CATALOG, make it this connection's default and detach the database
 * the instance opened with, so that no name resolves anywhere else (and a connection that forgot
 * its USE fails, "Catalog memory does not exist", instead of writing where nobody reads).
 */
async function attachAsDefault(conn: DuckDBConnection, path: string, readOnly: boolean): Promise<void> {
  const first = String((await conn.runAndReadAll("SELECT current_database()")).getRows()[0]![0]);
  await conn.run(`ATTACH ${duckLiteral(path)} AS ${FILE_CATALOG}${readOnly ? " (READ_ONLY)" : ""}`);
  await conn.run(`USE ${FILE_CATALOG}`);
  await conn.run(`DETACH ${duckQuote(first)}`);
}

/**
 * Settings of the instance a load writes through. DuckDB's allocator keeps memory that queries
 * freed in per-thread caches and hands it back only when a later task ends; its background threads
 * return it as it goes. Replaying the inserts of bench/memory's 1M-row package, peak RSS was
 * 383–392 MiB without them and 306–307 MiB with them (from 90 MiB before the load), CPU no higher.
 */
const WRITER_SETTINGS = { allocator_background_threads: "true" } as const;

/** What a user's query session may not do, and cannot re-enable (with lock_configuration). */
const LOCKED_DOWN = {
  enable_external_access: "false",
  autoload_known_extensions: "false",
  autoinstall_known_extensions: "false",
} as const;

async function release(path: string): Promise<void> {
  const shared = open.get(path);
  if (!shared) return;
  shared.refs--;
  if (shared.refs > 0) return;
  open.delete(path);
  try {
    (await shared.instance).closeSync();
  } catch {
    // the instance never opened; nothing to release
  }
}

/** Canonical JS values for dataset rows: exact decimals as strings, dates as `YYYY-MM-DD`,
 * timestamps as Dates, JSON parsed, BIGINT as number when safe. */
function convert(js: unknown, json: unknown, type: DuckDBType, mod: DuckDBModule): unknown {
  if (js === null || js === undefined) return null;
  const id = type.typeId;
  const T = mod.DuckDBTypeId;
  switch (id) {
    case T.DECIMAL:
    case T.HUGEINT:
    case T.UHUGEINT:
      return String(json);
    case T.BIGINT:
    case T.UBIGINT: {
      const b = js as bigint;
      return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(b) : b;
    }
    case T.DATE:
      return String(json);
    case T.VARCHAR:
      if (type.alias === "JSON" && typeof js === "string") {
        try {
          return JSON.parse(js);
        } catch {
          return js;
        }
      }
      return js;
    default:
      return js;
  }
}
