import type { ReconcileResult } from "../destinations/destination.js";
import type { IncompleteResource } from "../package/format.js";
import { type ReconcileRecord, recordsOf, reconcileLines, reconcileWarning } from "./reconciliation.js";

export type PackageState = "LOADED" | "NORMALIZED" | "EXTRACTED" | "ABORTED";

export interface JobInfo {
  table: string;
  file: string;
  rows: number;
  state: "completed" | "failed" | "new" | "started";
  failedMessage?: string;
}

export interface LoadPackageInfo {
  loadId: string;
  schemaName: string;
  state: PackageState;
  jobs: JobInfo[];
  rowCounts: Record<string, number>;
  /** True when the destination already had this package (a crash hit after its commit). */
  alreadyLoaded: boolean;
  /** Items normalize quarantined instead of loading, per resource (`failed-jobs` lists them). */
  rejectedItems?: Record<string, number>;
  /** What the package's key sets found (the reconciliation with the source), committed with it. */
  reconciled?: ReconcileResult[];
}

/** dlt's `precisedelta` style: "0.26 seconds", "1 minute and 4.51 seconds". */
export function humanizeSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(2)} seconds`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"} and ${rest.toFixed(2)} seconds`;
  const hours = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${hours} hour${hours === 1 ? "" : "s"}, ${m} minute${m === 1 ? "" : "s"} and ${rest.toFixed(2)} seconds`;
}

/** What `run()` and `load()` return; `String(info)` prints dlt's LoadInfo text. */
export class LoadInfo {
  constructor(
    readonly pipelineName: string,
    readonly destinationName: string,
    readonly destinationLocation: string,
    readonly datasetName: string,
    readonly startedAt: Date,
    readonly finishedAt: Date,
    readonly loadPackages: LoadPackageInfo[],
    /** What the run could not read completely (its cursors did not move past it). */
    readonly incomplete: IncompleteResource[] = [],
    /** Seconds the load step took (run() passes the sum of its loads); default: start to finish. */
    loadSeconds?: number,
  ) {
    this.loadSeconds = loadSeconds ?? (finishedAt.getTime() - startedAt.getTime()) / 1000;
  }

  /** The load step's own duration, what dlt's text reports ("load step completed in ..."). */
  readonly loadSeconds: number;

  /** False when some resource (or some business of one) was not read completely. */
  get isComplete(): boolean {
    return this.incomplete.length === 0;
  }

  get hasFailedJobs(): boolean {
    return this.loadPackages.some((p) => p.jobs.some((j) => j.state === "failed"));
  }

  /** Items of these packages that normalize quarantined (see `sage-pipeline pipeline <name> failed-jobs`). */
  get rejectedItems(): number {
    let n = 0;
    for (const p of this.loadPackages) for (const c of Object.values(p.rejectedItems ?? {})) n += c;
    return n;
  }

  /** Every reconciliation of these packages: per resource and part, the source's count and the rows loaded. */
  get reconciliation(): ReconcileRecord[] {
    return recordsOf(this.loadPackages);
  }

  /** Parts whose rows differ from the source's count after its deletes were applied. */
  get reconciliationWarnings(): string[] {
    return this.reconciliation.flatMap((r) => reconcileWarning(r) ?? []);
  }

  get elapsedSeconds(): number {
    return (this.finishedAt.getTime() - this.startedAt.getTime()) / 1000;
  }

  /** Rows loaded per table over all packages. */
  get rowCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.loadPackages) {
      for (const [t, n] of Object.entries(p.rowCounts)) out[t] = (out[t] ?? 0) + n;
    }
    return out;
  }

  toString(): string {
    const lines = [
      `Pipeline ${this.pipelineName} load step completed in ${humanizeSeconds(this.loadSeconds)}`,
      `${this.loadPackages.length} load package(s) were loaded to destination ${this.destinationName} and into dataset ${this.datasetName}`,
      `The ${this.destinationName} destination used ${this.destinationLocation} location to store data`,
    ];
    for (const p of this.loadPackages) {
      const failed = p.jobs.filter((j) => j.state === "failed");
      if (p.state !== "LOADED") {
        lines.push(`Load package ${p.loadId} is ${p.state} and NOT YET LOADED to the destination`);
      } else if (failed.length > 0) {
        lines.push(`Load package ${p.loadId} is ${p.state} and contains ${failed.length} FAILED job(s)!`);
      } else {
        lines.push(`Load package ${p.loadId} is ${p.state} and contains no failed jobs`);
      }
      for (const j of failed) lines.push(`\n\t[${j.file}]: ${j.failedMessage ?? "failed"}\n`);
    }
    if (this.rejectedItems > 0) {
      lines.push(
        `${this.rejectedItems} item(s) could not be normalized and were QUARANTINED (list them: sage-pipeline pipeline ${this.pipelineName} failed-jobs)`,
      );
    }
    const reconciled = this.reconciliation;
    if (reconciled.length > 0) {
      lines.push("Reconciliation (rows the source lists, rows loaded):");
      for (const l of reconcileLines(reconciled)) lines.push(`\t${l}`);
      for (const w of this.reconciliationWarnings) lines.push(`\tWARNING ${w}`);
    }
    if (this.incomplete.length > 0) {
      lines.push(`${this.incomplete.length} resource part(s) are INCOMPLETE (their cursors did not move; run again):`);
      for (const i of this.incomplete) lines.push(`\t${describeIncomplete(i)}`);
    }
    return lines.join("\n");
  }

  toJSON(): Record<string, unknown> {
    return {
      pipelineName: this.pipelineName,
      destinationName: this.destinationName,
      destinationLocation: this.destinationLocation,
      datasetName: this.datasetName,
      startedAt: this.startedAt.toISOString(),
      finishedAt: this.finishedAt.toISOString(),
      elapsedSeconds: this.elapsedSeconds,
      loadSeconds: this.loadSeconds,
      hasFailedJobs: this.hasFailedJobs,
      isComplete: this.isComplete,
      incomplete: this.incomplete,
      rejectedItems: this.rejectedItems,
      rowCounts: this.rowCounts,
      reconciliation: this.reconciliation,
      reconciliationWarnings: this.reconciliationWarnings,
      loadPackages: this.loadPackages,
    };
  }
}

/** `contacts of business "Acme" (b1): <reason> (rows read: kept)`. */
export function describeIncomplete(i: IncompleteResource): string {
  const part =
    i.label ??
    (i.partition
      ? Object.entries(i.partition)
          .map(([k, v]) => `${k} = ${String(v)}`)
          .join(", ")
      : "");
  return `${i.resource}${part ? ` of ${part}` : ""}: ${i.reason.split("\n")[0] ?? ""} (rows read: ${i.rows})`;
}
