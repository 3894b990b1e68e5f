import type { Command } from "commander";
import { parseList } from "../../config/index.js";
import { installSharedTokens, openQueue, planBusinessJobs, resolveWorkerSettings } from "../../runtime/index.js";
import { setSharedSageAuth } from "../../sage/index.js";
import { ConfigError } from "../../util/errors.js";
import { cliConfig } from "../config.js";
import { DEFAULT_SOURCE, runNames } from "./run.js";

export interface QueueTargetFlags {
  queue?: string;
  businesses?: string;
  resources?: string;
  pipelineName?: string;
  datasetName?: string;
}

/** `--businesses all|id,...` → undefined for all. */
export function businessesFlag(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === "all") return undefined;
  const ids = parseList(value, () => new ConfigError("--businesses must be all or a comma-separated list of business ids"));
  return ids.length > 0 ? ids : undefined;
}

export function resourcesList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = parseList(value, () => new ConfigError("--resources must be a comma-separated list"));
  return names.length > 0 ? names : undefined;
}

/** `sage-pipeline enqueue`: one job per business of the login (listed from Sage). */
export function registerEnqueue(program: Command): void {
  program
    .command("enqueue")
    .description("put one job per business on the queue (businesses listed from Sage's /businesses)")
    .option("--queue <url>", "the queue (default: [runtime] queue_url)")
    .option("--businesses <list>", "all, or comma-separated business ids", "all")
    .option("--resources <list>", "comma-separated resource names (default: the configured ones)")
    .option("--pipeline-name <name>", "prefix of each business's pipeline name (default as for run)")
    .option("--dataset-name <name>", "the shared dataset (default as for run)")
    .option("--json", "print the job ids as JSON")
    .action(async (flags: QueueTargetFlags & { json?: boolean }) => {
      const config = cliConfig();
      const settings = resolveWorkerSettings(config, flags.queue);
      const names = runNames(config, DEFAULT_SOURCE, flags);
      const businesses = businessesFlag(flags.businesses);
      const resources = resourcesList(flags.resources);
      const queue = openQueue(settings.queueUrl, settings, false);
      await queue.start();
      try {
        // Listing the businesses refreshes through the workers' shared token store, never around it.
        installSharedTokens(queue);
        const jobs = await planBusinessJobs(
          config,
          {
            ...names,
            ...(businesses ? { businesses } : {}),
            ...(resources ? { resources } : {}),
            origin: "enqueue",
          },
          new AbortController().signal,
        );
        const ids = await queue.enqueue(jobs);
        if (flags.json) {
          const out = jobs.map((j, i) => ({ id: ids[i], businessId: j.businessId, businessName: j.businessName }));
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        } else {
          process.stdout.write(
            `${ids.length} job(s) enqueued: ${jobs.map((j) => `${j.businessName} (${j.businessId})`).join(", ")}\n`,
          );
        }
      } finally {
        setSharedSageAuth(undefined);
        await queue.stop();
      }
    });
}
