import type { Command } from "commander";
import { formatJobs, openQueue, resolveWorkerSettings } from "../../runtime/index.js";
import { scrub } from "../../util/redact.js";
import { cliConfig } from "../config.js";

/** `sage-pipeline jobs`: queued / running / failed / done, with business, attempts, last error and duration. */
export function registerJobs(program: Command): void {
  program
    .command("jobs")
    .description("list the queue's jobs: state, business, attempts, last error (redacted) and duration")
    .option("--queue <url>", "the queue (default: [runtime] queue_url)")
    .option("--json", "one JSON array on stdout")
    .action(async (flags: { queue?: string; json?: boolean }) => {
      const config = cliConfig();
      const settings = resolveWorkerSettings(config, flags.queue);
      const queue = openQueue(settings.queueUrl, settings, false);
      await queue.start();
      try {
        const jobs = await queue.list();
        if (flags.json) {
          const out = jobs.map((j) => ({ ...j, lastError: j.lastError === undefined ? undefined : scrub(j.lastError) }));
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        } else {
          process.stdout.write(`${formatJobs(jobs)}\n`);
        }
      } finally {
        await queue.stop();
      }
    });
}
