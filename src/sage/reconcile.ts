import type { KeySetDeletion } from "../package/format.js";
import type { EndpointSpec } from "./catalog/index.js";

/**
 * How often an incremental run lists the ids of an endpoint without `deleted_since` to find the
 * rows Sage hard-deleted (`[sources.sage_accounting_source] reconcile_every`): every run
 * (`always` or `0`), never (`never`: only full reads reconcile), or at most once per duration
 * (`30m`, `12h`, `1d`, `7d`; plain seconds as `90s`). Full reads (the first run, a full refresh,
 * endpoints without `updated_or_created_since`) always reconcile: their rows are the list.
 */
export type Cadence = { every: "always" } | { every: "never" } | { every: number };

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*([smhd])$/i;

export function parseCadence(text: string): Cadence | undefined {
  const t = text.trim().toLowerCase();
  if (t === "always" || t === "0") return { every: "always" };
  if (t === "never") return { every: "never" };
  const m = DURATION.exec(t);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms === 0 ? { every: "always" } : { every: ms };
}

/** The config check: what is wrong with a `reconcile_every` value, if anything. */
export function checkCadence(text: string): string | undefined {
  return parseCadence(text) ? undefined : 'must be "always", "never", 0 or a duration such as 30m, 12h, 1d';
}

/** Is a reconciliation due at `now` (the server's clock) after one at `last`? */
export function reconcileDue(cadence: Cadence, last: string | undefined, now: Date): boolean {
  if (cadence.every === "always") return true;
  if (cadence.every === "never") return false;
  if (last === undefined) return true;
  const at = Date.parse(last);
  return Number.isNaN(at) || now.getTime() - at >= cadence.every;
}

/** Endpoints whose hard deletes only a list of ids reveals: rows with ids, no `deleted_since`. */
export function needsIdReconciliation(spec: EndpointSpec): boolean {
  return spec.kind !== "singleton" && spec.rows.id && !spec.filters.deletedSince;
}

/**
 * How a row found gone from Sage is applied, as Sage's own deletions are: removed with
 * `hard_delete`, else kept and marked: `deleted_at` set to the server's time (endpoints without
 * a `deleted_at` of their own get that column), or `deleted = true` where Sage flags deletions.
 */
export function deletionFor(spec: EndpointSpec, hardDelete: boolean, now: Date): KeySetDeletion {
  const flag = !spec.rows.deletedAt && spec.rows.deletedFlag;
  return {
    hard: hardDelete,
    column: flag ? "deleted" : "deleted_at",
    kind: flag ? "flag" : "timestamp",
    at: now.toISOString(),
  };
}
