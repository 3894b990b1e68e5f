import { SECONDS_PER_DAY } from "./format.js";

/**
 * The sandbox's own time for data (created_at, updated_at, deleted_at). It starts at a fixed
 * moment derived from the seed and only moves forward, when data is mutated, so incremental
 * filters see strictly later timestamps after every mutation. Token expiry uses the wall
 * clock instead: that is about real waiting, not about data.
 */
export class SandboxClock {
  readonly start: number;
  private current: number;

  constructor(seed: number) {
    // 2025-03-31T12:00:00Z plus up to ~6 months, so different seeds also differ in dates.
    this.start = Date.UTC(2025, 2, 31, 12, 0, 0) / 1000 + (seed % 180) * SECONDS_PER_DAY;
    this.current = this.start;
  }

  now(): number {
    return this.current;
  }

  /** Move forward by `seconds` (at least 1) and return the new time. */
  advance(seconds: number): number {
    this.current += Math.max(1, Math.floor(seconds));
    return this.current;
  }

  startDay(): number {
    return Math.floor(this.start / SECONDS_PER_DAY);
  }
}
