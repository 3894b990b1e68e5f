import { RateWindow } from "./rate-window.js";

/** Limits for one host, configurable per source (`client.limiter`). */
export interface LimiterOptions {
  /** Requests in flight at once (default DEFAULT_MAX_CONCURRENCY). */
  maxConcurrency?: number;
  requestsPerSecond?: number;
  requestsPerMinute?: number;
  /** Requests per UTC day in this process; past it, requests fail instead of being sent. */
  dailyBudget?: number;
  /** Lower concurrency and rate on 429 and creep back up (AIMD). Default true. */
  adaptive?: boolean;
}

/**
 * Requests in flight per host when nothing else is said: the one default for every source (the
 * Sage spec's `max_concurrency` takes it too). Sage allows far more; 10 keeps a single run polite.
 */
export const DEFAULT_MAX_CONCURRENCY = 10;

export interface LimiterStats {
  host: string;
  inFlight: number;
  /** The highest number of concurrent requests seen so far. */
  maxInFlight: number;
  queued: number;
  /** The current (possibly lowered) concurrency cap. */
  concurrency: number;
  maxConcurrency: number;
  /** Current rates; undefined when unlimited. */
  requestsPerSecond: number | undefined;
  requestsPerMinute: number | undefined;
  /** Requests started today (UTC) against `dailyBudget`. */
  usedToday: number;
  rateLimited: number;
}

/** Handed out by `acquire`; `release` it when the response (or error) is in. */
export interface LimiterTicket {
  readonly startedAt: number;
  release(): void;
}

interface Waiter {
  resolve: (t: LimiterTicket) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** Thrown by `acquire` when the daily budget is spent; the client turns it into BudgetExceededError. */
export class BudgetSpent extends Error {}

const DECREASE = 0.5;
const RECENT_MS = 5000;

function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * One host's gate: a concurrency cap, exact per-second / per-minute windows, a daily budget and
 * a pause (set from `Retry-After`). On a 429 it halves concurrency and the configured rates
 * (once per round: 429s from requests that started before the last cut are the same overload,
 * not a new one); with no configured rate, a rate is only introduced once a single request at a
 * time is still throttled. Each round of successful requests adds one slot and 10% of the rate back;
 * near the concurrency that last drew a 429 it takes eight rounds, twice as many each time that
 * probe fails again, so a sustained run settles just under the limit and probes it ever more rarely.
 */
export class HostLimiter {
  private readonly max: number;
  private concurrency: number;
  private inFlight = 0;
  private maxInFlight = 0;
  private readonly queue: Waiter[] = [];
  private readonly perSecond: RateWindow | undefined;
  private readonly perMinute: RateWindow | undefined;
  private adaptiveRps: { window: RateWindow; base: number } | undefined;
  private rateFactor = 1;
  private pausedUntil = 0;
  private lastCutAt = -Infinity;
  /** Concurrency at the last 429: growing back towards it goes slowly, so the run stays just under. */
  private ceiling = Infinity;
  /** Rounds of successes the step back up to the ceiling takes; doubles each time that step draws a 429 again. */
  private patience = 8;
  private successes = 0;
  private rateLimited = 0;
  private day = "";
  private used = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private readonly recent: number[] = [];

  constructor(
    readonly host: string,
    private readonly options: LimiterOptions = {},
    private readonly onChange?: (stats: LimiterStats, reason: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.max = Math.max(1, Math.floor(options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY));
    this.concurrency = this.max;
    if (options.requestsPerSecond) this.perSecond = new RateWindow(options.requestsPerSecond, 1000);
    if (options.requestsPerMinute) this.perMinute = new RateWindow(options.requestsPerMinute, 60_000);
  }

  /** Wait for a slot. Rejects with the signal's reason on abort, or `BudgetSpent`. */
  acquire(signal?: AbortSignal): Promise<LimiterTicket> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<LimiterTicket>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Hold every request to this host until `at` (epoch ms), e.g. from a 429's Retry-After. */
  pauseUntil(at: number): void {
    if (at > this.pausedUntil) this.pausedUntil = at;
  }

  /** Feed back each response so the limiter can adapt. */
  onResponse(ticket: LimiterTicket, status: number): void {
    if (status === 429) {
      this.rateLimited++;
      if (this.options.adaptive !== false && ticket.startedAt > this.lastCutAt) this.decrease();
      return;
    }
    if (status < 500) this.increaseMaybe();
  }

  stats(): LimiterStats {
    return {
      host: this.host,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      queued: this.queue.length,
      concurrency: this.concurrency,
      maxConcurrency: this.max,
      requestsPerSecond: this.perSecond?.rate ?? this.adaptiveRps?.window.rate,
      requestsPerMinute: this.perMinute?.rate,
      usedToday: this.used,
      rateLimited: this.rateLimited,
    };
  }

  private decrease(): void {
    const now = this.now();
    this.lastCutAt = now;
    this.successes = 0;
    const wasSerial = this.concurrency === 1;
    this.patience = this.concurrency <= this.ceiling ? Math.min(this.patience * 2, 256) : 8;
    if (this.ceiling === Infinity) this.patience = 8;
    this.ceiling = this.concurrency;
    this.concurrency = Math.max(1, Math.floor(this.concurrency * DECREASE));
    this.rateFactor = Math.max(1 / 64, this.rateFactor * DECREASE);
    this.applyRates();
    if (!this.perSecond && !this.perMinute && (wasSerial || this.adaptiveRps)) {
      // No configured rate and still throttled one request at a time: the limit is a rate, not a
      // concurrency. Start a rate at half of what was just observed to be too much.
      while (this.recent.length > 0 && (this.recent[0] as number) < now - RECENT_MS) this.recent.shift();
      // Requests per second over the recent past (not over the whole window: a run that just
      // started would otherwise look slow and get throttled to a crawl).
      const span = this.recent.length > 1 ? Math.max(250, now - (this.recent[0] as number)) : 1000;
      const observed = Math.max(1, this.recent.length) / (span / 1000);
      const current = this.adaptiveRps ? Math.min(this.adaptiveRps.window.rate, observed) : observed;
      const next = Math.max(0.1, current * DECREASE);
      if (this.adaptiveRps) this.adaptiveRps.window.setRate(next);
      else this.adaptiveRps = { window: new RateWindow(next, 1000), base: observed };
    }
    this.onChange?.(this.stats(), "429: lowered concurrency and rate");
  }

  private increaseMaybe(): void {
    const recovering = this.concurrency < this.max || this.rateFactor < 1 || this.adaptiveRps !== undefined;
    if (!recovering) return;
    this.successes++;
    const nearCeiling = this.concurrency + 1 >= this.ceiling;
    if (this.successes < this.concurrency * (nearCeiling ? this.patience : 1)) return;
    this.successes = 0;
    this.concurrency = Math.min(this.max, this.concurrency + 1);
    this.rateFactor = Math.min(1, this.rateFactor + 0.1);
    this.applyRates();
    if (this.adaptiveRps) {
      const { window, base } = this.adaptiveRps;
      const next = window.rate + base * 0.1;
      if (next >= base * 2 && this.concurrency === this.max) this.adaptiveRps = undefined;
      else window.setRate(next);
    }
    this.onChange?.(this.stats(), "recovering after 429");
    this.pump();
  }

  private applyRates(): void {
    if (this.perSecond && this.options.requestsPerSecond)
      this.perSecond.setRate(this.options.requestsPerSecond * this.rateFactor);
    if (this.perMinute && this.options.requestsPerMinute)
      this.perMinute.setRate(this.options.requestsPerMinute * this.rateFactor);
  }

  private earliestStart(now: number): number {
    let at = Math.max(now, this.pausedUntil);
    for (const w of [this.perSecond, this.perMinute, this.adaptiveRps?.window]) if (w) at = Math.max(at, w.nextFreeAt(now));
    return at;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const now = this.now();
      if (utcDay(now) !== this.day) {
        this.day = utcDay(now);
        this.used = 0;
      }
      if (this.options.dailyBudget !== undefined && this.used >= this.options.dailyBudget) {
        for (const w of this.queue.splice(0)) {
          w.signal?.removeEventListener("abort", w.onAbort);
          w.reject(new BudgetSpent(`daily budget of ${this.options.dailyBudget} requests to ${this.host} is spent`));
        }
        return;
      }
      if (this.inFlight >= this.concurrency) return;
      const at = this.earliestStart(now);
      if (at > now) {
        this.wakeAt(at);
        return;
      }
      const waiter = this.queue.shift() as Waiter;
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      this.start(waiter, now);
    }
  }

  private start(waiter: Waiter, now: number): void {
    this.inFlight++;
    this.used++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    for (const w of [this.perSecond, this.perMinute, this.adaptiveRps?.window]) w?.take(now);
    this.recent.push(now);
    if (this.recent.length > 10_000) this.recent.splice(0, this.recent.length - 10_000);
    let released = false;
    waiter.resolve({
      startedAt: now,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.pump();
      },
    });
  }

  private wakeAt(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.pump();
      },
      Math.max(1, at - this.now()),
    );
  }
}

/** Limiters by host, created on first use with the same options (one registry per client). */
export class LimiterRegistry {
  private readonly limiters = new Map<string, HostLimiter>();

  constructor(
    private readonly options: LimiterOptions = {},
    private readonly onChange?: (stats: LimiterStats, reason: string) => void,
  ) {}

  forHost(host: string): HostLimiter {
    let l = this.limiters.get(host);
    if (!l) {
      l = new HostLimiter(host, this.options, this.onChange);
      this.limiters.set(host, l);
    }
    return l;
  }

  get maxConcurrency(): number {
    return Math.max(1, Math.floor(this.options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY));
  }

  stats(): LimiterStats[] {
    return [...this.limiters.values()].map((l) => l.stats());
  }
}
