import { randomUUID } from "node:crypto";
import type { PaceWindow, SharedPacer } from "../http/index.js";
import type { StoreQuery } from "./worker-registry.js";

function q(schema: string): string {
  return `"${schema.replace(/"/g, '""')}"`;
}

/** The shortest wait between two asks while a window is full (the store is asked again, not a local clock trusted). */
const MIN_WAIT_MS = 5;

/**
 * Rate windows in the queue's Postgres store (`sp_pace`, one row per key holding the starts of
 * the last period), shared by every worker: Sage One ZA counts 100 requests a minute per API key,
 * user and company, whichever process sent them, and past it blocks the IP for an hour. One
 * statement per ask: `INSERT ... ON CONFLICT DO UPDATE` locks the key's row and computes from its
 * newest version, so two workers asking at once are serialised by the row lock, and a start is
 * counted only when every window had room at the store's clock (one clock for every worker). A
 * full window answers with the starts, from which the wait until the oldest one that matters
 * leaves the window is computed.
 *
 * What it cannot see: the time between the grant and the request reaching Sage (a few ms, more on
 * a loaded machine). That is why the ZA source's default per-minute cap is 90, not Sage's 100.
 */
export class PostgresSharedPacer implements SharedPacer {
  private readonly table: string;

  constructor(
    private readonly query: StoreQuery,
    schema: string,
  ) {
    this.table = `${q(schema)}.sp_pace`;
  }

  async pace(key: string, windows: readonly PaceWindow[], signal?: AbortSignal): Promise<void> {
    if (windows.length === 0) return;
    const counts = windows.map((w) => Math.max(1, Math.floor(w.count)));
    const periods = windows.map((w) => w.periodMs / 1000);
    // Two periods of starts are kept (one is all the windows need), so that the row shows any full
    // period that just ended to whoever checks the pace (an operator, the tests).
    const keep = 2 * Math.max(...periods);
    for (;;) {
      if (signal?.aborted) throw signal.reason as Error;
      const token = randomUUID();
      const rows = await this.query<{ granted: boolean; starts: Date[]; now: Date }>(
        `INSERT INTO ${this.table} AS p (key, starts, granted) VALUES ($1, ARRAY[clock_timestamp()], $2)
         ON CONFLICT (key) DO UPDATE SET (starts, granted) = (
           SELECT ARRAY(SELECT s.t FROM unnest(p.starts) AS s(t) WHERE s.t > c.now - make_interval(secs => $5) ORDER BY s.t)
                    || CASE WHEN c.ok THEN ARRAY[c.now] ELSE ARRAY[]::timestamptz[] END,
                  CASE WHEN c.ok THEN $2 ELSE p.granted END
           FROM (SELECT n.now, NOT EXISTS (
                   SELECT 1 FROM unnest($3::integer[], $4::double precision[]) AS w(cnt, secs)
                   WHERE (SELECT count(*) FROM unnest(p.starts) AS s(t) WHERE s.t > n.now - make_interval(secs => w.secs)) >= w.cnt
                 ) AS ok
                 FROM (SELECT clock_timestamp() AS now) AS n) AS c
         )
         RETURNING p.granted = $2 AS granted, p.starts AS starts, clock_timestamp() AS now`,
        [key, token, counts, periods, keep],
      );
      const row = rows[0];
      if (!row) throw new Error(`the shared pacer's table ${this.table} returned nothing for ${key}`);
      if (row.granted) return;
      await sleep(Math.max(MIN_WAIT_MS, waitMs(row.starts, row.now.getTime(), counts, periods)), signal);
    }
  }
}

/** How long until every window has room again: per window, the start `count` from the newest leaves it. */
function waitMs(starts: readonly Date[], now: number, counts: readonly number[], periods: readonly number[]): number {
  let wait = 0;
  for (const [i, count] of counts.entries()) {
    const periodMs = (periods[i] as number) * 1000;
    const recent = starts.map((d) => d.getTime()).filter((t) => t > now - periodMs);
    if (recent.length >= count) wait = Math.max(wait, (recent[recent.length - count] as number) + periodMs - now);
  }
  return wait;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
}
