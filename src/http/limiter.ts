import { type PaceWindow, RateWindow, windowOf } from "./rate-window.js";

/** Limits for one host, configurable per source (`client.limiter`). */
export interface LimiterOptions {
  /** Requests in flight at once (default DEFAULT_MAX_CONCURRENCY). */
  maxConcurrency?: number;
  requestsPerSecond?: number;
  requestsPerMinute?: number;
  /** Requests per UTC day in this process; past it, requests fail instead of being sent. */
  dailyBudget?: number;
  /** Lower concurrency and rate on 429 and grow back within seconds (AIMD, see ALLOWANCE_FLOOR). Default true. */
  adaptive?: boolean;
  /**
   * Who the rates belong to beyond this process (Sage One ZA: API key + user + company). With a
   * shared pacer installed (queue workers), every process pacing the same key shares one
   * per-second and one per-minute window; without one, the rates are this process's only.
   */
  sharedPaceKey?: string;
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
  /** The current (possibly lowered, never below a quarter of maxConcurrency) concurrency cap. */
  concurrency: number;
  maxConcurrency: number;
  /** Current (possibly lowered) rates; undefined when unlimited. */
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
  /** The app-wide slot held beside the local one, when a shared limit is installed. */
  readonly shared?: SharedTicket;
}

/**
 * A limit shared beyond this process (queue workers: Sage's 150 concurrent requests and daily
 * budget are per app). Asked after the local limiter admitted a request; it rejects with
 * `BudgetSpent` when the shared day's budget is spent.
 */
export interface SharedLimit {
  acquire(host: string, signal?: AbortSignal): Promise<SharedTicket>;
}

export interface SharedTicket {
  release(): void;
  /** Every response's status (a 429 slows every process sharing the limit). */
  onResponse(status: number): void;
}

/**
 * Rate windows shared beyond this process (queue workers: Sage One ZA blocks the IP for an hour
 * past 100 requests a minute per company, whichever process sent them). `pace` resolves when a
 * request under `key` may start with every window kept across all processes, and counts it.
 */
export interface SharedPacer {
  pace(key: string, windows: readonly PaceWindow[], signal?: AbortSignal): Promise<void>;
}

let sharedLimit: SharedLimit | undefined;
let sharedPacer: SharedPacer | undefined;

/** Install (or remove, with undefined) the shared pacer every HostLimiter created afterwards uses for its `sharedPaceKey`. */
export function setSharedPacer(pacer: SharedPacer | undefined): void {
  sharedPacer = pacer;
}

/** Install (or remove, with undefined) the shared limit every HostLimiter created afterwards also obeys. */
export function setSharedLimit(limit: SharedLimit | undefined): void {
  sharedLimit = limit;
}

interface Waiter {
  resolve: (t: LimiterTicket) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** Thrown by `acquire` when the daily budget is spent; the client turns it into BudgetExceededError. */
export class BudgetSpent extends Error {}

/**
 * AIMD on a 429: the allowance (a fraction of the configured concurrency and rates) halves, never
 * below ALLOWANCE_FLOOR, and grows back by RECOVERY_STEP every RECOVERY_INTERVAL_MS without a new
 * cut, so it is back to the configured values at most RECOVERY_MS after the throttling ends.
 * The throttled request itself waits what Retry-After asked for (decide.ts); the allowance keeps
 * the others from adding to the overload. (A floor far below the configured rate, 0.1 request/s as before, turned 2% of
 * requests throttled into a run ten times as long.)
 */
export const ALLOWANCE_FLOOR = 0.25;
const DECREASE = 0.5;
const RECOVERY_STEP = 0.125;
const RECOVERY_INTERVAL_MS = 500;
/** The longest time from the last 429 back to the configured concurrency and rates. */
export const RECOVERY_MS = Math.ceil((1 - ALLOWANCE_FLOOR) / RECOVERY_STEP) * RECOVERY_INTERVAL_MS;

function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * One host's gate: a concurrency cap, exact per-second / per-minute windows and a daily budget.
 * On a 429 the allowance is cut (see ALLOWANCE_FLOOR), once per
 * round: 429s from requests that started before the last cut are the same overload, not a new one.
 * `now` is injectable so that recovery can be tested on a fake clock.
 */
export class HostLimiter {
  private readonly max: number;
  private readonly minConcurrency: number;
  private inFlight = 0;
  private maxInFlight = 0;
  private readonly queue: Waiter[] = [];
  private readonly perSecond: RateWindow | undefined;
  private readonly perMinute: RateWindow | undefined;
  /** The allowance right after the last cut, and when that was; the current one grows from there with time. */
  private allowanceAtCut = 1;
  private lastCutAt = -Infinity;
  /** The allowance the windows were last set to, to report and apply changes once. */
  private applied = 1;
  private rateLimited = 0;
  private day = "";
  private used = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  /** The shared limit installed when this limiter was made (setSharedLimit). */
  private readonly shared: SharedLimit | undefined = sharedLimit;
  /** The shared pacer installed when this limiter was made (setSharedPacer), used only with a `sharedPaceKey`. */
  private readonly pacer: SharedPacer | undefined = sharedPacer;

  constructor(
    readonly host: string,
    private readonly options: LimiterOptions = {},
    private readonly onChange?: (stats: LimiterStats, reason: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.max = Math.max(1, Math.floor(options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY));
    this.minConcurrency = Math.max(1, Math.ceil(this.max * ALLOWANCE_FLOOR));
    if (options.requestsPerSecond) this.perSecond = new RateWindow(options.requestsPerSecond, 1000);
    if (options.requestsPerMinute) this.perMinute = new RateWindow(options.requestsPerMinute, 60_000);
  }

  /** Wait for a slot (this process's, then the shared one), then the shared pace. Rejects with the signal's reason on abort, or `BudgetSpent`. */
  async acquire(signal?: AbortSignal): Promise<LimiterTicket> {
    const local = await this.acquireLocal(signal);
    let shared: SharedTicket | undefined;
    try {
      if (this.shared) shared = await this.shared.acquire(this.host, signal);
      // Paced last, so the start it counts is the request's own (nothing waits after it).
      if (this.pacer && this.options.sharedPaceKey) await this.pacer.pace(this.options.sharedPaceKey, this.windows(), signal);
    } catch (err) {
      shared?.release();
      local.release();
      throw err;
    }
    if (!shared) return local;
    const slot = shared;
    return {
      startedAt: local.startedAt,
      shared: slot,
      release: () => {
        slot.release();
        local.release();
      },
    };
  }

  /** The rate windows as they stand now (lowered after a 429 when adaptive), for the shared pacer. */
  private windows(): PaceWindow[] {
    const out: PaceWindow[] = [];
    if (this.perSecond) out.push(windowOf(this.perSecond.rate, 1000));
    if (this.perMinute) out.push(windowOf(this.perMinute.rate, 60_000));
    return out;
  }

  private acquireLocal(signal?: AbortSignal): Promise<LimiterTicket> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<LimiterTicket>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal?.reason as Error);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Feed back each response so the limiter can adapt. */
  onResponse(ticket: LimiterTicket, status: number): void {
    ticket.shared?.onResponse(status);
    if (status !== 429) return;
    this.rateLimited++;
    if (this.options.adaptive !== false && ticket.startedAt > this.lastCutAt) this.cut();
  }

  stats(): LimiterStats {
    this.applyAllowance(this.now());
    return {
      host: this.host,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      queued: this.queue.length,
      concurrency: this.concurrency(),
      maxConcurrency: this.max,
      requestsPerSecond: this.perSecond?.rate,
      requestsPerMinute: this.perMinute?.rate,
      usedToday: this.used,
      rateLimited: this.rateLimited,
    };
  }

  /** The fraction of the configured limits allowed at `now`: grown back linearly since the last cut. */
  private allowance(now: number): number {
    if (this.allowanceAtCut >= 1) return 1;
    const steps = Math.floor((now - this.lastCutAt) / RECOVERY_INTERVAL_MS);
    return Math.min(1, this.allowanceAtCut + steps * RECOVERY_STEP);
  }

  private concurrency(): number {
    return Math.max(this.minConcurrency, Math.floor(this.max * this.applied));
  }

  private cut(): void {
    const now = this.now();
    this.allowanceAtCut = Math.max(ALLOWANCE_FLOOR, this.allowance(now) * DECREASE);
    this.lastCutAt = now;
    this.applyAllowance(now, "429: lowered concurrency and rate");
  }

  /** Set the windows to the allowance at `now` and report a change. */
  private applyAllowance(now: number, reason = "recovering after 429"): void {
    const allowance = this.allowance(now);
    if (allowance === this.applied) return;
    this.applied = allowance;
    if (this.perSecond && this.options.requestsPerSecond) this.perSecond.setRate(this.options.requestsPerSecond * allowance);
    if (this.perMinute && this.options.requestsPerMinute) this.perMinute.setRate(this.options.requestsPerMinute * allowance);
    this.onChange?.(this.stats(), reason);
    if (allowance < 1) this.wakeAt(now + RECOVERY_INTERVAL_MS);
  }

  private earliestStart(now: number): number {
    let at = now;
    for (const w of [this.perSecond, this.perMinute]) if (w) at = Math.max(at, w.nextFreeAt(now));
    return at;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const now = this.now();
      this.applyAllowance(now);
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
      if (this.inFlight >= this.concurrency()) return;
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
    for (const w of [this.perSecond, this.perMinute]) w?.take(now);
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
    if (this.queue.length === 0) return;
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
