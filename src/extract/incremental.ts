import { createHash } from "node:crypto";
import { DataError } from "../util/errors.js";
import { findAll } from "../util/json-path.js";

export type LastValueFunc = "max" | "min";

export interface IncrementalOptions<T = unknown> {
  /** JSONPath into the raw item (source names), e.g. `updated_at` or `meta.modified`. */
  cursorPath: string;
  initialValue?: T;
  /** Exclusive upper bound; with it the run is a stateless backfill (state is not touched). */
  endValue?: T;
  lastValueFunc?: LastValueFunc;
  /** When the API returns rows sorted by the cursor, the resource stops paging once out of range. */
  rowOrder?: "asc" | "desc";
  /** Re-read a window behind the last value: seconds for timestamps, days for dates, units for numbers. */
  lag?: number;
  /** Key used to deduplicate rows at the boundary; defaults to the resource's primary key. `[]` disables. */
  primaryKey?: string | string[];
  onCursorValueMissing?: "raise" | "include" | "exclude";
}

/** What one incremental keeps in the pipeline state. `boundaryKeys` only holds keys of rows whose
 * cursor equals `lastValue`, so the state stays small however many rows a run loads (dlt's
 * `unique_hashes` grows without bound). */
export interface IncrementalState {
  initialValue: unknown;
  lastValue: unknown;
  boundaryKeys: string[];
}

/** A declaration: `incremental({ cursorPath: "updated_at", initialValue: "2024-01-01T00:00:00Z" })`. */
export class Incremental<T = unknown> {
  readonly cursorPath: string;
  readonly initialValue: T | undefined;
  readonly endValue: T | undefined;
  readonly lastValueFunc: LastValueFunc;
  readonly rowOrder: "asc" | "desc" | undefined;
  readonly lag: number | undefined;
  readonly primaryKey: string[] | undefined;
  readonly onCursorValueMissing: "raise" | "include" | "exclude";

  constructor(opts: IncrementalOptions<T>) {
    if (!opts.cursorPath || typeof opts.cursorPath !== "string") {
      throw new DataError("incremental: cursorPath is required", { hint: 'pass e.g. incremental({ cursorPath: "updated_at" })' });
    }
    this.cursorPath = opts.cursorPath;
    this.initialValue = opts.initialValue;
    this.endValue = opts.endValue;
    this.lastValueFunc = opts.lastValueFunc ?? "max";
    // Checked at run time too: JavaScript callers and config files reach here untyped.
    if (!(["max", "min"] as unknown[]).includes(this.lastValueFunc)) {
      throw new DataError(`incremental ${this.cursorPath}: lastValueFunc must be "max" or "min"`);
    }
    this.rowOrder = opts.rowOrder;
    this.lag = opts.lag;
    this.primaryKey = opts.primaryKey === undefined ? undefined : ([] as string[]).concat(opts.primaryKey);
    this.onCursorValueMissing = opts.onCursorValueMissing ?? "raise";
  }
}

export function incremental<T = unknown>(opts: IncrementalOptions<T>): Incremental<T> {
  return new Incremental(opts);
}

/** Ordering over cursor values: numbers, bigints, Dates and ISO strings compare as instants. */
export function compareCursor(a: unknown, b: unknown): number {
  const ka = cursorKey(a);
  const kb = cursorKey(b);
  if (typeof ka === "number" && typeof kb === "number") return ka - kb;
  if (typeof ka === "bigint" && typeof kb === "bigint") return ka < kb ? -1 : ka > kb ? 1 : 0;
  const sa = String(ka);
  const sb = String(kb);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function cursorKey(v: unknown): number | bigint | string {
  if (typeof v === "number" || typeof v === "bigint") return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "string" && ISO_LIKE.test(v)) {
    const t = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
    if (!Number.isNaN(t)) return t;
  }
  return String(v);
}

/** Move a cursor value back by `lag` (seconds for timestamps, days for dates, units for numbers). */
export function applyLag(value: unknown, lag: number, func: LastValueFunc): unknown {
  const sign = func === "max" ? -1 : 1;
  if (typeof value === "number") return value + sign * lag;
  if (typeof value === "bigint") return value + BigInt(sign * Math.round(lag));
  if (value instanceof Date) return new Date(value.getTime() + sign * lag * 1000);
  if (typeof value === "string" && ISO_LIKE.test(value)) {
    if (value.length === 10) {
      const d = new Date(`${value}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + sign * Math.round(lag));
      return d.toISOString().slice(0, 10);
    }
    const t = Date.parse(value);
    return new Date(t + sign * lag * 1000).toISOString().replace(".000Z", "Z");
  }
  return value;
}

/**
 * The live incremental of one resource during one extract: what the resource reads to build its
 * request (`startValue`), and the filter every item passes through.
 */
export class IncrementalCursor {
  readonly initialValue: unknown;
  readonly startValue: unknown;
  readonly endValue: unknown;
  lastValue: unknown;
  private boundary: Set<string>;
  private readonly previousBoundary: Set<string>;
  private readonly dedup: boolean;
  /** Set when an item proves the rest of a sorted stream is out of range. */
  stopRequested = false;

  constructor(
    readonly spec: Incremental,
    private readonly resourceName: string,
    stored: IncrementalState | undefined,
    private readonly primaryKey: string[] | undefined,
  ) {
    this.initialValue = spec.initialValue;
    const last = spec.endValue !== undefined ? spec.initialValue : (stored?.lastValue ?? spec.initialValue);
    this.lastValue = last;
    this.startValue = last !== undefined && spec.lag ? applyLag(last, spec.lag, spec.lastValueFunc) : last;
    this.endValue = spec.endValue;
    this.previousBoundary = new Set(spec.endValue === undefined && !spec.lag ? (stored?.boundaryKeys ?? []) : []);
    this.boundary = new Set(this.previousBoundary);
    // dlt turns boundary deduplication off with lag or an end value, and with an empty key.
    this.dedup = !spec.lag && spec.endValue === undefined && !(this.keyFields?.length === 0);
  }

  private get keyFields(): string[] | undefined {
    return this.spec.primaryKey ?? this.primaryKey;
  }

  /** True when the whole run is a backfill that must leave the stored state alone. */
  get stateless(): boolean {
    return this.spec.endValue !== undefined;
  }

  private better(a: unknown, b: unknown): boolean {
    const c = compareCursor(a, b);
    return this.spec.lastValueFunc === "max" ? c > 0 : c < 0;
  }

  private rowKey(item: Record<string, unknown>): string {
    const fields = this.keyFields;
    const material = fields && fields.length > 0 ? fields.map((f) => item[f]) : item;
    return createHash("sha256").update(JSON.stringify(material)).digest("base64url").slice(0, 16);
  }

  /** Decide whether `item` is kept, and advance the cursor. */
  accept(item: Record<string, unknown>): boolean {
    const values = findAll(item, this.spec.cursorPath);
    const value = values.length > 1 ? values.reduce((a, b) => (this.better(b, a) ? b : a)) : values[0];
    if (value === undefined || value === null) {
      const mode = this.spec.onCursorValueMissing;
      if (mode === "include") return true;
      if (mode === "exclude") return false;
      throw new DataError(
        `resource ${this.resourceName}: cursor path ${this.spec.cursorPath} is missing or null in an item (keys: ${Object.keys(item).slice(0, 12).join(", ")})`,
        { hint: 'fix cursorPath, or pass onCursorValueMissing: "include" | "exclude" to incremental()' },
      );
    }
    const max = this.spec.lastValueFunc === "max";
    if (this.endValue !== undefined) {
      const c = compareCursor(value, this.endValue);
      if (max ? c >= 0 : c <= 0) {
        if (this.spec.rowOrder === (max ? "asc" : "desc")) this.stopRequested = true;
        return false;
      }
    }
    if (this.startValue !== undefined) {
      const c = compareCursor(value, this.startValue);
      if (max ? c < 0 : c > 0) {
        if (this.spec.rowOrder === (max ? "desc" : "asc")) this.stopRequested = true;
        return false;
      }
      if (c === 0 && this.dedup && this.previousBoundary.size > 0 && this.previousBoundary.has(this.rowKey(item))) {
        return false;
      }
    }
    if (this.lastValue === undefined || this.better(value, this.lastValue)) {
      this.lastValue = value;
      this.boundary = new Set();
    }
    if (this.dedup && compareCursor(value, this.lastValue) === 0) this.boundary.add(this.rowKey(item));
    return true;
  }

  /** The state to store after the run. */
  state(): IncrementalState {
    return {
      initialValue: this.initialValue ?? null,
      lastValue: this.lastValue ?? null,
      boundaryKeys: [...this.boundary],
    };
  }
}
