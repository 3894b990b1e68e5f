import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { ConfigError } from "../util/errors.js";

/** Runs SQL on the queue's database (the engine's pool). */
export type StoreQuery = <R>(sql: string, values?: unknown[]) => Promise<R[]>;

function q(schema: string): string {
  return `"${schema.replace(/"/g, '""')}"`;
}

/** A worker is live while it beats; one that stopped beating this long ago (killed) no longer counts. */
export const WORKER_STALE_SECONDS = 15;
const BEAT_MS = 5000;

/**
 * The live workers, in the queue's store: each beats every few seconds. A single-writer
 * destination (DuckDB: one process per file) is refused when another worker is live, and a
 * second worker is refused while a single-writer one runs.
 */
export class WorkerRegistry {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly query: StoreQuery,
    private readonly schema: string,
  ) {}

  async join(destination: string, singleWriter: boolean): Promise<void> {
    const t = `${q(this.schema)}.sp_workers`;
    await this.query(`DELETE FROM ${t} WHERE seen_at < now() - make_interval(secs => $1)`, [WORKER_STALE_SECONDS]);
    const others = await this.query<{ id: string; destination: string; single_writer: boolean }>(
      `SELECT id, destination, single_writer FROM ${t} WHERE id <> $1`,
      [this.id],
    );
    const single = others.find((o) => o.single_writer);
    if (single || (singleWriter && others.length > 0)) {
      const name = single ? single.destination : destination;
      throw new ConfigError(
        `${name} takes one writer at a time, and ${others.length} other worker(s) are live on this queue (${others.map((o) => o.id).join(", ")})`,
        {
          hint: `run one worker for ${name}, or load into Postgres (or a warehouse), which takes many workers: [pipeline] destination = "postgres"`,
        },
      );
    }
    await this.query(
      `INSERT INTO ${t} (id, destination, single_writer) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET seen_at = now()`,
      [this.id, destination, singleWriter],
    );
    this.timer = setInterval(() => {
      void this.query(`UPDATE ${t} SET seen_at = now() WHERE id = $1`, [this.id]).catch(() => undefined);
    }, BEAT_MS);
    this.timer.unref();
  }

  async leave(): Promise<void> {
    clearInterval(this.timer);
    await this.query(`DELETE FROM ${q(this.schema)}.sp_workers WHERE id = $1`, [this.id]).catch(() => undefined);
  }
}
