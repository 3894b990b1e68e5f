import { scrub } from "../util/redact.js";
import type { JobRecord } from "./queue.js";

function seconds(ms: number | undefined): string {
  return ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`;
}

/** `sage-pipeline jobs`: counts by state, then one line per job (newest last). */
export function formatJobs(jobs: readonly JobRecord[]): string {
  if (jobs.length === 0) return "no jobs (put some there with: sage-pipeline enqueue)";
  const counts = new Map<string, number>();
  for (const j of jobs) counts.set(j.state, (counts.get(j.state) ?? 0) + 1);
  const header = ["queued", "retry", "running", "failed", "done", "cancelled"]
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(", ");
  const rows = jobs.map((j) =>
    [
      j.state.padEnd(9),
      `${j.businessName} (${j.businessId})`,
      `attempts ${j.attempts}/${j.retryLimit + 1}`,
      `duration ${seconds(j.durationMs)}`,
      j.lastError ? `last error: ${scrub(j.lastError)}` : "",
    ]
      .filter(Boolean)
      .join("  "),
  );
  return [header, ...rows].join("\n");
}
