import { mkdirSync } from "node:fs";
import type { ResultRow } from "../destination.js";
import { importOptional } from "../optional-import.js";
import type { CopyChunk } from "./copy-text.js";
import { CANONICAL_PARSERS, sessionSetupSql } from "./pg-values.js";
import { type PgSession, copyLineOf } from "./session.js";

/** The part of PGlite this destination uses (structural, so the driver stays an optional import). */
export interface PgliteLike {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- PGlite's own signature, which owners of an instance call with a row type
  query<T = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    options?: { parsers?: Record<number, (text: string) => unknown>; blob?: Blob },
  ): Promise<{ rows: T[]; fields: Array<{ name: string }> }>;
}

/** Bytes of COPY text per blob: bounded memory, few round trips into the WASM heap. */
const BLOB_BYTES = 8 << 20;

const opened = new Map<string, Promise<PgliteLike>>();
const sessionOf = new WeakMap<PgliteLike, { setup: boolean; searchPath: string | undefined }>();

/**
 * The PGlite database behind `pglite://<dir>` or `pglite://memory[:name]`. One instance per
 * location for the life of the process: starting PGlite takes seconds, and an in-memory database
 * must outlive the clients the pipeline opens and closes per step.
 */
export function sharedPglite(dataDir: string | undefined, key: string): Promise<PgliteLike> {
  let db = opened.get(key);
  if (!db) {
    db = (async () => {
      // A dev dependency here: pglite:// users install it themselves, and are told so.
      const { PGlite } = await importOptional<typeof import("@electric-sql/pglite")>(
        "@electric-sql/pglite",
        "pglite:// (Postgres in this process)",
      );
      if (dataDir) mkdirSync(dataDir, { recursive: true });
      return await PGlite.create(dataDir);
    })();
    opened.set(key, db);
    db.catch(() => opened.delete(key));
  }
  return db;
}

/**
 * A session on a PGlite database. PGlite is one backend in this process, so connections to one
 * instance share its session: the search path is set again whenever another dataset used it last.
 * Loads into one PGlite instance must not run concurrently (its transactions would interleave).
 */
export class PgliteConnection implements PgSession {
  private constructor(
    private readonly db: PgliteLike,
    private readonly searchPath: string,
  ) {}

  static async open(db: PgliteLike, searchPath: string): Promise<PgliteConnection> {
    const conn = new PgliteConnection(db, searchPath);
    await conn.ensureSession();
    return conn;
  }

  private async ensureSession(): Promise<void> {
    let s = sessionOf.get(this.db);
    if (!s) sessionOf.set(this.db, (s = { setup: false, searchPath: undefined }));
    if (s.setup && s.searchPath === this.searchPath) return;
    for (const sql of sessionSetupSql(this.searchPath)) await this.db.query(sql);
    s.setup = true;
    s.searchPath = this.searchPath;
  }

  async execute(sql: string, params?: unknown[]): Promise<void> {
    await this.ensureSession();
    await this.db.query(sql, params ?? [], { parsers: CANONICAL_PARSERS });
  }

  async query(sql: string, params?: unknown[]): Promise<ResultRow[]> {
    await this.ensureSession();
    const r = await this.db.query<ResultRow>(sql, params ?? [], { parsers: CANONICAL_PARSERS });
    return r.rows;
  }

  /** PGlite's `query` is the extended protocol: one statement only. */
  async queryOne(sql: string): Promise<{ columns: string[]; rows: ResultRow[] }> {
    await this.ensureSession();
    const r = await this.db.query<ResultRow>(sql, [], { parsers: CANONICAL_PARSERS });
    return { columns: r.fields.map((f) => f.name), rows: r.rows };
  }

  async copyRows(target: string, columns: string[], chunks: AsyncIterable<CopyChunk>): Promise<void> {
    await this.ensureSession();
    const sql = `COPY ${target} (${columns.join(", ")}) FROM '/dev/blob'`;
    let parts: string[] = [];
    let size = 0;
    let rows = 0;
    let before = 0;
    const flush = async () => {
      if (parts.length === 0) return;
      try {
        await this.db.query(sql, [], { blob: new Blob(parts) });
      } catch (err) {
        const line = copyLineOf(err);
        if (line !== undefined && err && typeof err === "object") (err as { copyLine?: number }).copyLine = before + line;
        throw err;
      }
      before += rows;
      parts = [];
      size = 0;
      rows = 0;
    };
    for await (const c of chunks) {
      parts.push(c.text);
      size += c.text.length;
      rows += c.rows;
      if (size >= BLOB_BYTES) await flush();
    }
    await flush();
  }

  async close(): Promise<void> {
    // The instance is shared (or the caller's): closing a client leaves it open.
  }
}
