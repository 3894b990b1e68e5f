import type { DeployEnv } from "./deploy-env.js";
import type { Provenance } from "./deploy-file.js";

/** What every target renders from: the resolved names and the environment the deployed process needs. */
export interface DeployPlan {
  readonly provenance: Provenance;
  /** A registered source name (`sage_accounting`, `sage_one_za`). */
  readonly source: string;
  readonly pipelineName: string;
  readonly datasetName: string;
  readonly destination: string;
  readonly env: DeployEnv;
  /** Five-field cron, UTC: the workflow's schedule, the CronJob's. */
  readonly schedule: string;
}

/** The CLI as a deployed project runs it: its own installed copy (`npx --no` never downloads another). */
export const PROJECT_CLI = "npx --no -- sage-pipeline";

/** A word for a shell command line, quoted only when it must be. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `sage-pipeline run` as deployed: the names resolved here, stated, so the deployed run loads the same dataset. */
export function runArgs(plan: DeployPlan): string[] {
  return [
    "run",
    plan.source,
    "--pipeline-name",
    plan.pipelineName,
    "--dataset-name",
    plan.datasetName,
    "--destination",
    plan.destination,
    "--no-progress",
  ];
}

/** The port a deployed worker serves /metrics and /healthz on (the container's; probes and scrapes use it). */
export const WORKER_METRICS_PORT = 9464;
