import type { Command } from "commander";
import { openQueue, resolveWorkerSettings } from "../../runtime/index.js";
import { ConfigError } from "../../util/errors.js";
import { cliConfig } from "../config.js";
import { type QueueTargetFlags, businessesFlag, resourcesList } from "./enqueue.js";
import { DEFAULT_SOURCE, runNames } from "./run.js";

/** Open the queue from config and `--queue`, run `fn`, close it. */
async function withQueue<T>(queueFlag: string | undefined, fn: (q: ReturnType<typeof openQueue>) => Promise<T>): Promise<T> {
  const settings = resolveWorkerSettings(cliConfig(), queueFlag);
  const queue = openQueue(settings.queueUrl, settings, false);
  await queue.start();
  try {
    return await fn(queue);
  } finally {
    await queue.stop();
  }
}

/** `sage-pipeline schedule add|list|remove`: cron schedules kept in the queue engine; a worker fires each once. */
export function registerSchedule(program: Command): void {
  const schedule = program
    .command("schedule")
    .description("cron schedules in the queue: when one fires, a worker enqueues one job per business");
  schedule
    .command("add")
    .description("add (or replace) a schedule")
    .argument("<name>", "the schedule's name (letters, digits, _ and -)")
    .requiredOption("--cron <expression>", 'five-field cron in UTC, e.g. "0 * * * *" (hourly)')
    .option("--queue <url>", "the queue (default: [runtime] queue_url)")
    .option("--businesses <list>", "all, or comma-separated business ids", "all")
    .option("--resources <list>", "comma-separated resource names (default: the configured ones)")
    .option("--pipeline-name <name>", "prefix of each business's pipeline name (default as for run)")
    .option("--dataset-name <name>", "the shared dataset (default as for run)")
    .action(async (name: string, flags: QueueTargetFlags & { cron: string }) => {
      const names = runNames(cliConfig(), DEFAULT_SOURCE, flags);
      const businesses = businessesFlag(flags.businesses);
      const resources = resourcesList(flags.resources);
      await withQueue(flags.queue, (q) =>
        q.addSchedule({
          name,
          cron: flags.cron,
          data: { ...names, ...(businesses ? { businesses } : {}), ...(resources ? { resources } : {}) },
        }),
      );
      process.stdout.write(`schedule ${name} added: ${flags.cron} (UTC)\n`);
    });
  schedule
    .command("list")
    .description("list the schedules")
    .option("--queue <url>", "the queue (default: [runtime] queue_url)")
    .option("--json", "one JSON array on stdout")
    .action(async (flags: { queue?: string; json?: boolean }) => {
      const all = await withQueue(flags.queue, (q) => q.listSchedules());
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        return;
      }
      if (all.length === 0) {
        process.stdout.write('no schedules (add one with: sage-pipeline schedule add NAME --cron "0 * * * *")\n');
        return;
      }
      for (const s of all) {
        const who = s.data.businesses?.join(",") ?? "all businesses";
        process.stdout.write(`${s.name}  ${s.cron}  ${who}  dataset ${s.data.datasetName}\n`);
      }
    });
  schedule
    .command("remove")
    .description("remove a schedule")
    .argument("<name>", "the schedule's name")
    .option("--queue <url>", "the queue (default: [runtime] queue_url)")
    .action(async (name: string, flags: { queue?: string }) => {
      const removed = await withQueue(flags.queue, (q) => q.removeSchedule(name));
      if (!removed) {
        throw new ConfigError(`no schedule named ${name}`, { hint: "list them with: sage-pipeline schedule list" });
      }
      process.stdout.write(`schedule ${name} removed\n`);
    });
}
