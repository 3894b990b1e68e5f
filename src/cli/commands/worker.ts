import type { Command } from "commander";
import { runWorker } from "../../runtime/index.js";
import { cliConfig } from "../config.js";
import { stopOnSignals } from "../interrupt.js";

interface WorkerFlags {
  queue?: string;
  destination?: string;
}

/** `sage-pipeline worker`: take business jobs from the queue until SIGTERM, then exit 0. */
export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run queued jobs (one business each) until SIGTERM; the job in flight finishes or goes back to the queue")
    .option("--queue <url>", "the queue: postgresql://user:password@host:5432/db (default: [runtime] queue_url)")
    .option("--destination <name>", "duckdb (one worker only) | postgres | ... (default: [pipeline] destination)")
    .action(async (flags: WorkerFlags) => {
      const config = cliConfig();
      const stops = stopOnSignals();
      try {
        await runWorker({
          config,
          stop: stops.signal,
          ...(flags.queue !== undefined ? { queueUrl: flags.queue } : {}),
          ...(flags.destination !== undefined ? { destination: flags.destination } : {}),
        });
      } finally {
        stops.dispose();
      }
      if (stops.signal.aborted) process.stderr.write("worker stopped\n");
    });
}
