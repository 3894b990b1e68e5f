import type * as Sdk from "snowflake-sdk";
import { reveal } from "../../config/secret.js";
import { PipelineError } from "../../util/errors.js";
import type { ResultRow } from "../destination.js";
import { importOptional } from "../optional-import.js";
import type { SqlConnection } from "../sql/sql-connection.js";
import type { SnowflakeTarget } from "./credentials.js";
import { SNOWFLAKE_HINT } from "./credentials.js";
import { rowFromSnowflake } from "./values.js";

type SnowflakeSdk = typeof Sdk;

let sdk: Promise<SnowflakeSdk> | undefined;

/** The SDK, imported on first connect (an optional peer dependency), its own logging off. */
function loadSdk(): Promise<SnowflakeSdk> {
  sdk ??= importOptional<SnowflakeSdk & { default?: SnowflakeSdk }>("snowflake-sdk", "destination snowflake").then((m) => {
    const s = m.default ?? m;
    // The SDK logs to its own file and console at INFO; its messages may carry SQL text.
    s.configure({ logLevel: "OFF", additionalLogToConsole: false });
    return s;
  });
  return sdk;
}

/** Where the SDK connects to besides the account's own URL (fakesnow in the tests). */
export interface SnowflakeEndpoint {
  /** `http://127.0.0.1:<port>`: the SDK talks to this URL instead of `<account>.snowflakecomputing.com`. */
  accessUrl?: string | undefined;
  /**
   * Statements each session runs first; default SNOWFLAKE_SESSION_SETUP. fakesnow implements no
   * ALTER SESSION: it answers in UTC and resolves names case-insensitively as DuckDB does, which
   * is what these settings give on Snowflake.
   */
  sessionSetup?: readonly string[] | undefined;
}

/** UTC, and quoted lower-case names (`"invoices"`, as the dataset API writes them) resolve to the upper-case tables. */
export const SNOWFLAKE_SESSION_SETUP: readonly string[] = [
  "ALTER SESSION SET TIMEZONE = 'UTC'",
  "ALTER SESSION SET QUOTED_IDENTIFIERS_IGNORE_CASE = TRUE",
];

/** `$1, $2` (the shared SQL's placeholders) as Snowflake's positional binds `:1, :2`. */
function binds(sql: string, params?: unknown[]): { sqlText: string; binds?: Sdk.Bind[] } {
  if (!params || params.length === 0) return { sqlText: sql };
  return {
    sqlText: sql.replace(/\$(\d+)/g, ":$1"),
    binds: params.map((p) =>
      p === undefined || p === null
        ? null
        : typeof p === "bigint"
          ? p.toString()
          : p instanceof Date
            ? p.toISOString()
            : (p as Sdk.Bind),
    ),
  };
}

/**
 * One Snowflake session through the official `snowflake-sdk`. Every session runs with UTC as its
 * time zone, `QUOTED_IDENTIFIERS_IGNORE_CASE` (so the lower-case quoted names of the dataset API
 * and of users' SQL resolve to the upper-case names the destination creates, see dialect.ts) and
 * the dataset's database; rows come back with lower-case keys and this project's value types.
 */
export class SnowflakeConnection implements SqlConnection {
  private constructor(
    private readonly conn: Sdk.Connection,
    readonly display: string,
  ) {}

  static async open(target: SnowflakeTarget, endpoint: SnowflakeEndpoint = {}): Promise<SnowflakeConnection> {
    const s = await loadSdk();
    const options: Sdk.ConnectionOptions = {
      account: target.account,
      username: target.username,
      database: target.database,
      ...(target.warehouse ? { warehouse: target.warehouse } : {}),
      ...(target.role ? { role: target.role } : {}),
      ...(target.privateKey
        ? {
            authenticator: "SNOWFLAKE_JWT",
            privateKey: reveal(target.privateKey),
            ...(target.privateKeyPassphrase ? { privateKeyPass: reveal(target.privateKeyPassphrase) } : {}),
          }
        : { password: reveal(target.password!) }),
      ...(endpoint.accessUrl ? { accessUrl: endpoint.accessUrl } : {}),
      application: "sage_accounting_pipeline",
      clientSessionKeepAlive: false,
      // The SDK retries a failed login 7 times with backoff (about 3 minutes against an unreachable
      // host); twice is enough for a blip, and the run as a whole is retried (exit 1) anyway.
      sfRetryMaxLoginRetries: 2,
    };
    const conn = s.createConnection(options);
    try {
      await new Promise<void>((ok, fail) => {
        conn.connect((err) => {
          if (err) fail(err);
          else ok();
        });
      });
    } catch (err) {
      throw new PipelineError(`could not connect to Snowflake at ${target.display}: ${(err as Error).message}`, {
        cause: err,
        hint: `check the account, user and password or key (${SNOWFLAKE_HINT})`,
      });
    }
    const c = new SnowflakeConnection(conn, target.display);
    try {
      for (const sql of endpoint.sessionSetup ?? SNOWFLAKE_SESSION_SETUP) await c.execute(sql);
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }

  private run(sql: string, params?: unknown[]): Promise<{ rows: ResultRow[]; stmt: Sdk.RowStatement }> {
    return new Promise((ok, fail) => {
      this.conn.execute({
        ...binds(sql, params),
        // Numbers as their text: decimals stay exact, integers become bigint past 2^53 (values.ts).
        fetchAsString: ["Number"],
        complete: (err, stmt, rows) => {
          if (err) fail(err);
          else ok({ rows: (rows ?? []) as ResultRow[], stmt });
        },
      });
    });
  }

  async execute(sql: string, params?: unknown[]): Promise<void> {
    await this.run(sql, params);
  }

  async query(sql: string, params?: unknown[]): Promise<ResultRow[]> {
    const { rows, stmt } = await this.run(sql, params);
    return rows.map((r) => rowFromSnowflake(r, stmt.getColumns() ?? []));
  }

  /**
   * At most `limit` rows of a query, streamed (the rest of the result is never fetched), with the
   * column names lower-cased as the rows' keys are.
   */
  async queryCapped(sql: string, limit: number): Promise<{ columns: string[]; rows: ResultRow[] }> {
    const stmt = await new Promise<Sdk.RowStatement>((ok, fail) => {
      this.conn.execute({
        sqlText: sql,
        fetchAsString: ["Number"],
        streamResult: true,
        complete: (err, st) => {
          if (err) fail(err);
          else ok(st);
        },
      });
    });
    const cols = stmt.getColumns() ?? [];
    const rows: ResultRow[] = [];
    if (limit > 0 && cols.length > 0) {
      for await (const r of stmt.streamRows({ start: 0, end: limit - 1 }) as AsyncIterable<ResultRow>) {
        rows.push(rowFromSnowflake(r, cols));
      }
    }
    return { columns: cols.map((c) => c.getName().toLowerCase()), rows: rows.slice(0, limit) };
  }

  async close(): Promise<void> {
    if (!this.conn.isUp()) return;
    await new Promise<void>((ok) => {
      this.conn.destroy(() => {
        ok();
      });
    });
  }
}
