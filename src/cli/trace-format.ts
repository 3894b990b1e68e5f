import { humanizeSeconds } from "../pipeline/load-info.js";

/** The parts of trace.json this view reads; everything is optional because old traces lack fields. */
interface TraceFile {
  pipelineName?: string;
  startedAt?: string;
  finishedAt?: string;
  destinationLocation?: string;
  warnings?: string[];
  steps?: Array<{
    step: string;
    startedAt: string;
    finishedAt?: string;
    loadId?: string;
    error?: string;
    rows?: Record<string, number>;
    requests?: { requests: number; throttled: number; retries: number; failed: number };
    skipped?: Array<{ resource: string; label?: string; reason: string }>;
  }>;
}

function seconds(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  return (Date.parse(to) - Date.parse(from)) / 1000;
}

const count = (n: number) => n.toLocaleString("en-US");

/** "84,210 rows in 51 tables: ledger_entries 20,000, ..." with the largest first. */
function rowsLine(step: string, rows: Record<string, number>): string {
  const entries = Object.entries(rows).sort(([, a], [, b]) => b - a);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  const unit = step === "extract" ? "items" : "rows";
  const what = step === "extract" ? "resource" : "table";
  const shown = entries.slice(0, 8).map(([t, n]) => `${t} ${count(n)}`);
  const more = entries.length > shown.length ? `, and ${entries.length - shown.length} more` : "";
  return `${count(total)} ${unit} in ${entries.length} ${what}(s)${shown.length ? `: ${shown.join(", ")}${more}` : ""}`;
}

/** "312 HTTP requests (2 answered 429, 2 retried, 1 failed)": what the extract asked of the API. */
function requestsLine(r: { requests: number; throttled: number; retries: number; failed: number }): string {
  const notes = [
    r.throttled > 0 && `${count(r.throttled)} answered 429`,
    r.retries > 0 && `${count(r.retries)} retried`,
    r.failed > 0 && `${count(r.failed)} failed`,
  ].filter(Boolean);
  return `${count(r.requests)} HTTP request(s)${notes.length ? ` (${notes.join(", ")})` : ""}`;
}

/**
 * `pipeline X trace` as dlt prints it: the run's start and outcome, then one line per step with its
 * duration and what it moved, errors in full. `--json` prints the file itself.
 */
export function formatTrace(raw: unknown): string {
  const t = raw as TraceFile;
  const steps = t.steps ?? [];
  const failed = steps.find((s) => s.error !== undefined);
  const total = seconds(t.startedAt, t.finishedAt);
  const lines = [
    `Run of ${t.pipelineName ?? "(unknown pipeline)"} started at ${t.startedAt ?? "(unknown)"} and ${failed ? "FAILED" : "COMPLETED"}` +
      `${total !== undefined ? ` in ${humanizeSeconds(total)}` : ""} with ${steps.length} step(s).`,
  ];
  if (t.destinationLocation) lines.push(`Destination: ${t.destinationLocation}`);
  for (const s of steps) {
    const d = seconds(s.startedAt, s.finishedAt);
    const status = s.error !== undefined ? "FAILED" : s.finishedAt ? "COMPLETED" : "DID NOT FINISH";
    lines.push(
      `Step ${s.step}${s.loadId ? ` of load ${s.loadId}` : ""} ${status}${d !== undefined ? ` in ${humanizeSeconds(d)}` : ""}.`,
    );
    if (s.rows) lines.push(`  ${rowsLine(s.step, s.rows)}`);
    if (s.requests) lines.push(`  ${requestsLine(s.requests)}`);
    for (const k of s.skipped ?? []) lines.push(`  skipped ${k.resource}${k.label ? ` for ${k.label}` : ""}: ${k.reason}`);
    if (s.error !== undefined) lines.push(`  ${s.error.replace(/\n/g, "\n  ")}`);
  }
  for (const w of t.warnings ?? []) lines.push(`WARNING: ${w}`);
  return lines.join("\n");
}
