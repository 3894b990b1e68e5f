import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Client, ClientConfig, QueryConfig } from "pg";
import { PipelineError } from "../../util/errors.js";
import type { ResultRow } from "../destination.js";
import type { CopyChunk } from "./copy-text.js";
import { CANONICAL_PARSERS, sessionSetupSql } from "./pg-values.js";
import { type PgSession, copyLineOf } from "./session.js";

type PgModule = typeof import("pg");
type CopyModule = typeof import("pg-copy-streams");
let drivers: Promise<{ pg: PgModule; copy: CopyModule }> | undefined;

/** `pg` and `pg-copy-streams` load on first use, so DuckDB and filesystem users never load them. */
function loadDrivers(): Promise<{ pg: PgModule; copy: CopyModule }> {
  drivers ??= Promise.all([import("pg"), import("pg-copy-streams")]).then(([pg, copy]) => ({
    // CommonJS modules: their exports arrive as `default` under ESM.
    pg: (pg as unknown as { default?: PgModule }).default ?? pg,
    copy: (copy as unknown as { default?: CopyModule }).default ?? copy,
  }));
  return drivers;
}

/** COPY text encoded ahead of the socket; bounds memory while keeping both sides busy. */
const READ_AHEAD_BYTES = 4 << 20;

/** One `pg` client: a session with UTC, ISO dates, hex bytea and the dataset on the search path. */
export class PgConnection implements PgSession {
  private closed = false;

  private constructor(
    private readonly client: Client,
    private readonly copy: CopyModule,
  ) {}

  /**
   * `display` is the redacted location, used in every message instead of the real DSN. Another
   * server on the Postgres protocol (Redshift) names itself and brings its own session setup.
   */
  static async open(
    config: ClientConfig,
    display: string,
    searchPath: string,
    server: { label: string; hint: string; setup: string[] } = {
      label: "Postgres",
      hint: "check that the server runs and the credentials are right (DESTINATION__POSTGRES__CREDENTIALS or [destination.postgres.credentials] in .dlt/secrets.toml)",
      setup: sessionSetupSql(searchPath),
    },
  ): Promise<PgConnection> {
    const { pg, copy } = await loadDrivers();
    const client = new pg.Client({
      ...config,
      application_name: "sage-pipeline",
      types: {
        getTypeParser: ((oid: number, format?: string): unknown =>
          ((format ?? "text") === "text" ? CANONICAL_PARSERS[oid] : undefined) ??
          (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format)) as never,
      },
    });
    // A server that drops an idle connection emits 'error' on the client; without a listener
    // that would crash the process. The next query then fails with a clear message instead.
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      const detail = err instanceof Error ? err.message : String(err);
      // The driver's code decides exit 1 or 2 (util/error-kind.ts): a server that is down is
      // worth running again, a wrong password or an unknown host is not.
      throw new PipelineError(`could not connect to ${server.label} at ${display}: ${detail}`, { cause: err, hint: server.hint });
    }
    const conn = new PgConnection(client, copy);
    for (const sql of server.setup) await conn.execute(sql);
    return conn;
  }

  async execute(sql: string, params?: unknown[]): Promise<void> {
    await this.client.query(sql, params);
  }

  async query(sql: string, params?: unknown[]): Promise<ResultRow[]> {
    const r = await this.client.query(sql, params);
    return r.rows as ResultRow[];
  }

  async queryOne(sql: string): Promise<{ columns: string[]; rows: ResultRow[] }> {
    // queryMode "extended": parse/bind/execute, which carries one statement only.
    const r = await this.client.query({ text: sql, queryMode: "extended" } as QueryConfig);
    return { columns: r.fields.map((f) => f.name), rows: r.rows as ResultRow[] };
  }

  async copyRows(target: string, columns: string[], chunks: AsyncIterable<CopyChunk>): Promise<void> {
    const stream = this.client.query(this.copy.from(`COPY ${target} (${columns.join(", ")}) FROM STDIN`));
    async function* text() {
      for await (const c of chunks) yield c.text;
    }
    try {
      // pipeline() honours the socket's backpressure. The read-ahead buffer lets the next rows be
      // encoded while Postgres is still parsing the previous ones (two processes, two cores).
      await pipeline(Readable.from(text(), { objectMode: false, highWaterMark: READ_AHEAD_BYTES }), stream);
    } catch (err) {
      const line = copyLineOf(err);
      if (line !== undefined && err && typeof err === "object") (err as { copyLine?: number }).copyLine = line;
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }
}
