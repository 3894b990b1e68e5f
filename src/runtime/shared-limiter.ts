import { ALLOWANCE_FLOOR, BudgetSpent, type SharedLimit, type SharedTicket } from "../http/index.js";
import type { StoreQuery } from "./worker-registry.js";

export interface SharedLimiterOptions {
  query: StoreQuery;
  schema: string;
  /** Who holds a slot (the worker's registry id). */
  holder: string;
  /** App-wide requests in flight at once. */
  maxConcurrency: number;
  /** App-wide requests per UTC day. */
  dailyBudget: number;
  /** A slot not released this long after it was taken (its worker died) is free again. */
  slotLeaseSeconds: number;
  /** After a 429 the allowance grows back by 1/8 this often (default 0.5 s, as the local limiter; tests slow it). */
  recoveryIntervalSeconds?: number;
}

/** What the limiter last saw of the shared day, for metrics and the 80% alert. */
export interface BudgetReading {
  day: string;
  used: number;
  budget: number;
}

function q(schema: string): string {
  return `"${schema.replace(/"/g, '""')}"`;
}

// The local limiter's AIMD (http/limiter.ts), shared: each 429 round halves the app's allowance,
// never below ALLOWANCE_FLOOR, and it grows back by 1/8 every 500 ms.
const RECOVERY_STEP = 0.125;
const RECOVERY_INTERVAL_S = 0.5;

/** The shared allowance at the store's `now()`, in slots: one SQL expression for acquire and readAllowance. */
function allowanceSql(backoff: string, interval: number): string {
  return `SELECT GREATEST(CEIL($1::integer * ${ALLOWANCE_FLOOR}),
                  FLOOR($1::integer * LEAST(1, allowance_at_cut + ${RECOVERY_STEP} *
                    FLOOR(EXTRACT(EPOCH FROM now() - last_cut_at) / ${interval})))) AS cap
           FROM ${backoff} WHERE id = 1`;
}

/**
 * Sage's per-app limits in the queue's Postgres store, for every worker at once:
 * `sp_slots` (one row per concurrent request allowed; a request holds one, with a lease so that
 * a killed worker's slots come back), `sp_budget` (requests per UTC day, persisted: a restarted
 * worker continues the day's count) and `sp_backoff` (the shared allowance after a 429: one
 * worker's 429 lowers the slots every worker may use). One statement per acquire takes a free
 * slot within the current allowance and counts the request against the day.
 */
export class PostgresSharedLimiter implements SharedLimit {
  private reading: BudgetReading | undefined;
  private readonly t: { slots: string; budget: string; backoff: string };
  private readonly interval: number;

  constructor(private readonly o: SharedLimiterOptions) {
    const s = q(o.schema);
    this.t = { slots: `${s}.sp_slots`, budget: `${s}.sp_budget`, backoff: `${s}.sp_backoff` };
    this.interval = o.recoveryIntervalSeconds ?? RECOVERY_INTERVAL_S;
  }

  /** One row per slot up to the configured concurrency (tables: store-tables.ts). */
  async install(): Promise<void> {
    await this.o.query(
      `INSERT INTO ${this.t.slots} (slot) SELECT g FROM generate_series(0, $1::integer - 1) AS g ON CONFLICT (slot) DO NOTHING`,
      [this.o.maxConcurrency],
    );
  }

  get lastReading(): BudgetReading | undefined {
    return this.reading;
  }

  /** The day's count as stored (for metrics when no request was made yet). */
  async readBudget(): Promise<BudgetReading> {
    const rows = await this.o.query<{ day: string; used: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, used FROM ${this.t.budget} WHERE day = (now() AT TIME ZONE 'UTC')::date`,
    );
    const today = new Date().toISOString().slice(0, 10);
    this.reading = { day: rows[0]?.day ?? today, used: Number(rows[0]?.used ?? 0), budget: this.o.dailyBudget };
    return this.reading;
  }

  /** Requests every worker together may have in flight now: maxConcurrency, or less after a 429 anywhere. */
  async readAllowance(): Promise<number> {
    const rows = await this.o.query<{ cap: string }>(allowanceSql(this.t.backoff, this.interval), [this.o.maxConcurrency]);
    return Math.min(this.o.maxConcurrency, Number(rows[0]?.cap ?? this.o.maxConcurrency));
  }

  async acquire(_host: string, signal?: AbortSignal): Promise<SharedTicket> {
    const { slots, budget, backoff } = this.t;
    const max = this.o.maxConcurrency;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      if (signal?.aborted) throw signal.reason as Error;
      const rows = await this.o.query<{ slot: number | null; used: string | null; spent: boolean }>(
        `WITH allowance AS (
           ${allowanceSql(backoff, this.interval)}
         ), spent AS (
           SELECT COALESCE((SELECT used FROM ${budget} WHERE day = (now() AT TIME ZONE 'UTC')::date), 0) >= $4 AS spent
         ), free AS (
           SELECT slot FROM ${slots}, allowance, spent
           WHERE NOT spent.spent AND slot < LEAST($1::integer, allowance.cap) AND (holder IS NULL OR lease_until < now())
           ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED
         ), taken AS (
           UPDATE ${slots} s SET holder = $2, lease_until = now() + make_interval(secs => $3)
           FROM free WHERE s.slot = free.slot RETURNING s.slot
         ), counted AS (
           INSERT INTO ${budget} (day, used) SELECT (now() AT TIME ZONE 'UTC')::date, 1 FROM taken
           ON CONFLICT (day) DO UPDATE SET used = ${budget}.used + 1 RETURNING used
         )
         SELECT (SELECT slot FROM taken) AS slot, (SELECT used FROM counted) AS used, (SELECT spent FROM spent) AS spent`,
        [max, this.o.holder, this.o.slotLeaseSeconds, this.o.dailyBudget],
      );
      const row = rows[0];
      if (row?.spent) {
        this.reading = { day: new Date().toISOString().slice(0, 10), used: this.o.dailyBudget, budget: this.o.dailyBudget };
        throw new BudgetSpent(`the app's daily budget of ${this.o.dailyBudget} Sage requests (shared by every worker) is spent`);
      }
      if (row && row.slot !== null) {
        this.reading = { day: new Date().toISOString().slice(0, 10), used: Number(row.used), budget: this.o.dailyBudget };
        return this.ticket(row.slot, Date.now());
      }
      // Every slot is taken: wait a little (with jitter, so waiting workers do not ask in step).
      await new Promise((r) => setTimeout(r, wait / 2 + Math.random() * wait));
    }
  }

  private ticket(slot: number, startedAt: number): SharedTicket {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        // A failed release leaves the slot to its lease.
        void this.o
          .query(`UPDATE ${this.t.slots} SET holder = NULL, lease_until = NULL WHERE slot = $1 AND holder = $2`, [
            slot,
            this.o.holder,
          ])
          .catch(() => undefined);
      },
      onResponse: (status) => {
        if (status !== 429) return;
        // Once per round, as locally: 429s of requests started before the last cut are the same overload.
        void this.o
          .query(
            `UPDATE ${this.t.backoff} SET
               allowance_at_cut = GREATEST(${ALLOWANCE_FLOOR}, 0.5 * LEAST(1, allowance_at_cut + ${RECOVERY_STEP} *
                 FLOOR(EXTRACT(EPOCH FROM now() - last_cut_at) / ${this.interval}))),
               last_cut_at = now()
             WHERE id = 1 AND last_cut_at < to_timestamp($1::double precision / 1000)`,
            [startedAt],
          )
          .catch(() => undefined);
      },
    };
  }

  /** Give back every slot this worker holds (on a clean stop). */
  async releaseAll(): Promise<void> {
    await this.o.query(`UPDATE ${this.t.slots} SET holder = NULL, lease_until = NULL WHERE holder = $1`, [this.o.holder]);
  }
}
