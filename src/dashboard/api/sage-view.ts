import type { SkippedResource } from "../../package/format.js";
import type { RequestCounts, RunRequests } from "../../pipeline/request-stats.js";
import type { WorkingDir } from "../../pipeline/working-dir.js";
import { millisBetween } from "./access.js";

interface ExtractStep {
  step: string;
  loadId?: string;
  error?: string;
  rows?: Record<string, number>;
  requests?: RunRequests;
  skipped?: SkippedResource[];
}
interface HistoryTrace {
  startedAt?: string;
  finishedAt?: string;
  steps?: ExtractStep[];
}

export interface RunRequestsRow {
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  status: "succeeded" | "failed";
  /** Null: the run made no extract with counted requests (nothing new to read, or a run from before the counts). */
  requests: number | null;
  throttled: number;
  retries: number;
  failed: number;
  /** Requests that got no answer at all (dropped connection, timeout). */
  unanswered: number;
  skipped: number;
  loadIds: string[];
}

export interface ResourceRequestsRow extends RequestCounts {
  /** A resource, or the label of requests every resource shared (the business list). */
  name: string;
  shared: boolean;
  /** Items the resource yielded (null for shared requests). */
  items: number | null;
  unanswered: number;
}

const answered = (c: RequestCounts) => Object.values(c.responses).reduce((a, b) => a + b, 0);

function add(into: RequestCounts, c: RequestCounts): void {
  into.requests += c.requests;
  into.throttled += c.throttled;
  into.retries += c.retries;
  into.failed += c.failed;
  for (const [status, n] of Object.entries(c.responses)) into.responses[status] = (into.responses[status] ?? 0) + n;
}

export interface SageView {
  runs: RunRequestsRow[];
  lastExtract: {
    startedAt: string | null;
    loadId: string | null;
    resources: ResourceRequestsRow[];
    skipped: SkippedResource[];
  } | null;
  totals: { runs: number; requests: number; throttled: number; retries: number };
}

const extracts = (t: HistoryTrace) => (t.steps ?? []).filter((s) => s.step === "extract");

/**
 * "Sage at a glance": what the recent runs asked of the API, from the traces the working dir
 * keeps (trace-history.json): requests, 429s and retries per run; per resource for the last run
 * that extracted; and the businesses and resources Sage left out (403, 404, no subscription)
 * with why. Reads files only: no database, no API call.
 */
export function sageView(wd: WorkingDir): SageView {
  const history = wd.readTraceHistory().filter((t): t is HistoryTrace => typeof t === "object" && t !== null);
  const runs = history.map((t): RunRequestsRow => {
    const steps = extracts(t);
    const counted = steps.filter((s) => s.requests);
    const sum: RequestCounts = { requests: 0, responses: {}, throttled: 0, retries: 0, failed: 0 };
    for (const s of counted) add(sum, s.requests!);
    return {
      startedAt: t.startedAt ?? null,
      finishedAt: t.finishedAt ?? null,
      durationMs: millisBetween(t.startedAt, t.finishedAt),
      status: (t.steps ?? []).some((s) => s.error) ? "failed" : "succeeded",
      requests: counted.length > 0 ? sum.requests : null,
      throttled: sum.throttled,
      retries: sum.retries,
      failed: sum.failed,
      unanswered: sum.requests - answered(sum),
      skipped: steps.reduce((a, s) => a + (s.skipped?.length ?? 0), 0),
      loadIds: steps.flatMap((s) => (s.loadId ? [s.loadId] : [])),
    };
  });
  const last = [...history].reverse().find((t) => extracts(t).some((s) => s.requests));
  const step = last ? extracts(last).findLast((s) => s.requests) : undefined;
  const row = (name: string, c: RequestCounts, shared: boolean, items: number | null): ResourceRequestsRow => ({
    name,
    shared,
    items,
    ...c,
    unanswered: c.requests - answered(c),
  });
  const resources = step?.requests
    ? [
        ...Object.entries(step.requests.byResource)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([name, c]) => row(name, c, false, step.rows?.[name] ?? 0)),
        ...Object.entries(step.requests.shared).map(([name, c]) => row(name, c, true, null)),
      ]
    : [];
  return {
    runs,
    lastExtract:
      last && step
        ? { startedAt: last.startedAt ?? null, loadId: step.loadId ?? null, resources, skipped: step.skipped ?? [] }
        : null,
    totals: {
      runs: runs.length,
      requests: runs.reduce((a, r) => a + (r.requests ?? 0), 0),
      throttled: runs.reduce((a, r) => a + r.throttled, 0),
      retries: runs.reduce((a, r) => a + r.retries, 0),
    },
  };
}
