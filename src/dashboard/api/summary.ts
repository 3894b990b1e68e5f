import type { WorkingDir } from "../../pipeline/working-dir.js";
import { millisBetween } from "./access.js";
import { failedJobs, loadedPackages, readTrace } from "./runs.js";

export interface PipelineSummary {
  name: string;
  dataset: string | null;
  /** The location the last run recorded, credentials redacted (as LoadInfo prints it). */
  destination: string | null;
  /** In words: succeeded, failed in <step>, no run yet. */
  status: "succeeded" | "failed" | "no run yet";
  statusDetail: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** Rows the last run loaded (packages whose load id its trace names). */
  rows: number;
  /** Step errors of the last run plus failed jobs and packages moved aside. */
  errors: number;
  loadsKept: number;
  pendingPackages: number;
}

/** The Overview line of one pipeline, from its working dir alone (no database is opened). */
export function pipelineSummary(name: string, wd: WorkingDir): PipelineSummary {
  const state = wd.readState();
  const trace = readTrace(wd);
  const steps = trace?.steps ?? [];
  const failedStep = steps.find((s) => s.error);
  const loadIds = new Set(steps.map((s) => s.loadId).filter((id) => id !== undefined));
  const loads = loadedPackages(wd);
  const rows = loads.filter((l) => loadIds.has(l.loadId)).reduce((a, l) => a + l.rows, 0);
  const failed = failedJobs(wd);
  const pending = wd.packages.list("extracted").length + wd.packages.list("normalized").length;
  const status = !trace ? "no run yet" : failedStep ? "failed" : "succeeded";
  const statusDetail = !trace
    ? "this pipeline has not run yet"
    : failedStep
      ? `failed in ${failedStep.step}: ${failedStep.error ?? ""}`
      : loadIds.size === 0
        ? "succeeded: nothing new to load"
        : `succeeded: ${loadIds.size} package(s) loaded`;
  return {
    name,
    dataset: state?.datasetName ?? null,
    destination: trace?.destinationLocation ?? state?.destinationName ?? null,
    status,
    statusDetail,
    startedAt: trace?.startedAt ?? null,
    finishedAt: trace?.finishedAt ?? null,
    durationMs: millisBetween(trace?.startedAt, trace?.finishedAt),
    rows,
    errors: steps.filter((s) => s.error).length + failed.length,
    loadsKept: loads.length,
    pendingPackages: pending,
  };
}
