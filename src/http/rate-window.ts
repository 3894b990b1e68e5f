/**
 * "At most N requests in any window of P milliseconds", exactly: a token bucket whose tokens
 * come back one by one, each a full period after it was spent. A classic continuously refilled
 * bucket of capacity N lets 2N through in one window (a full bucket plus the refill), which is
 * what gets an IP blocked for an hour on Sage One (100/min). Rates below one per period become
 * one request per 1/rate periods.
 */
/** "At most `count` starts in any `periodMs`": the window a rate per base period means (shared pacing uses it too). */
export interface PaceWindow {
  count: number;
  periodMs: number;
}

/** Rates below one per period become one request per 1/rate periods. */
export function windowOf(rate: number, basePeriodMs: number): PaceWindow {
  const r = Math.max(rate, 1e-6);
  return r >= 1 ? { count: Math.floor(r), periodMs: basePeriodMs } : { count: 1, periodMs: basePeriodMs / r };
}

export class RateWindow {
  private readonly starts: number[] = [];
  private count = 1;
  private periodMs = 1000;

  constructor(
    perSecondEquivalent: number,
    private readonly basePeriodMs: number,
  ) {
    this.setRate(perSecondEquivalent);
  }

  /** `rate` requests per base period (per second or per minute); fractional rates allowed. */
  setRate(rate: number): void {
    ({ count: this.count, periodMs: this.periodMs } = windowOf(rate, this.basePeriodMs));
  }

  /** Requests allowed per base period right now. */
  get rate(): number {
    return (this.count * this.basePeriodMs) / this.periodMs;
  }

  private prune(now: number): void {
    while (this.starts.length > 0 && (this.starts[0] as number) <= now - this.periodMs) this.starts.shift();
  }

  /** When the next request may start (`now` if it may start now). */
  nextFreeAt(now: number): number {
    this.prune(now);
    if (this.starts.length < this.count) return now;
    const oldestThatMatters = this.starts[this.starts.length - this.count] as number;
    return oldestThatMatters + this.periodMs;
  }

  take(now: number): void {
    this.starts.push(now);
  }
}
