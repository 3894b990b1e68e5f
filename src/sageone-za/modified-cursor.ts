/**
 * The incremental cursor of one list in one company: rows with `Modified` at or after it are
 * asked for with `$filter=Modified ge datetime'...'`.
 *
 * `Modified` is the server's local time without a zone, so the cursor is computed from the
 * server's own stamps, never from this machine's clock (which may be skewed or in another zone).
 * After a run it is the newest `Modified` seen minus the run's duration minus an overlap: the
 * newest stamp is at most the server's time at the end of the run, so subtracting the duration
 * gives at most the server's time at the start of the run — rows changed while the run was paging
 * are asked for again next time. Merging on (company_id, id) keeps the rows read twice unique.
 *
 * The SA API has no deleted_since and no tombstones: a deleted row simply stops being listed,
 * so deletions are not detected and deleted rows stay in the destination.
 */
export class ModifiedCursor {
  private newest: number | undefined;

  /** `previous`: the cursor the last committed load stored for this company, if any. */
  constructor(readonly previous: string | undefined) {}

  /** The `$filter` for this run, or undefined on the first run (load everything). */
  filter(): string | undefined {
    return this.previous === undefined ? undefined : `Modified ge datetime'${this.previous}'`;
  }

  see(modified: unknown): void {
    const ms = parseServerTime(modified);
    if (ms !== undefined && (this.newest === undefined || ms > this.newest)) this.newest = ms;
  }

  /** The cursor to store after a run that took `durationMs`; the previous one when nothing was seen. */
  next(durationMs: number, overlapMs: number): string | undefined {
    if (this.newest === undefined) return this.previous;
    const candidate = this.newest - Math.max(0, durationMs) - overlapMs;
    const before = this.previous === undefined ? undefined : parseServerTime(this.previous);
    // Both bounds are at most the server's time at this run's start; the later one asks for less.
    return formatServerTime(before !== undefined && before > candidate ? before : candidate);
  }
}

/** `2024-03-05T10:22:31.117` (zone-less) as milliseconds on a zone-less scale; undefined when not a time. */
export function parseServerTime(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)$/.exec(value.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]!.slice(0, 12)}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Whole seconds, rounded down (earlier is the safe side): `2024-03-05T10:22:31`. */
export function formatServerTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
}
