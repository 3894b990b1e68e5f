import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigResolver } from "../config/index.js";
import { type LoadInfo, Pipeline, type ProgressEvent } from "../pipeline/index.js";
import { sageAccountingSource } from "../sage/index.js";
import type { BusinessJob } from "./queue.js";

/** The pipeline of one business: `<pipeline prefix>_<business id>` (its own state in the shared dataset). */
export function businessPipelineName(job: Pick<BusinessJob, "pipelineName" | "businessId">): string {
  return `${job.pipelineName}_${job.businessId}`;
}

export interface RunJobOptions {
  config: ConfigResolver;
  /** `--destination`; default: the configured one. */
  destination?: string;
  signal: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

/**
 * One job: the Sage source narrowed to one business, run by the ordinary Pipeline (the same
 * `run()` as `sage-pipeline run`) in a fresh temp working dir. The state comes from the
 * destination (restore), so whichever worker takes the job continues where the last committed
 * load of that business ended; the temp dir is removed afterwards, whatever happened.
 */
export async function runBusinessJob(job: BusinessJob, o: RunJobOptions): Promise<LoadInfo> {
  const dir = mkdtempSync(join(tmpdir(), "sage-job-"));
  try {
    const pipelineName = businessPipelineName(job);
    const config = o.config.withPipeline(pipelineName);
    const source = sageAccountingSource(
      { businesses: [job.businessId], ...(job.resources ? { resources: job.resources } : {}) },
      config,
    );
    const p = new Pipeline({
      pipelineName,
      datasetName: job.datasetName,
      config: o.config,
      pipelinesDir: dir,
      restoreFromDestination: true,
      signal: o.signal,
      ...(o.destination !== undefined ? { destination: o.destination } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    return await p.run(source);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
