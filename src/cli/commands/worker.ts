import { type Command, Option } from "commander";
import { runWorker } from "../../runtime/index.js";
import { ConfigError } from "../../util/errors.js";
import { logger } from "../../util/logger.js";
import { cliConfig } from "../config.js";
import { stopOnSignals } from "../interrupt.js";

interface WorkerFlags {
  queue?: string;
  destination?: string;
  metricsPort?: string;
  logFormat?: "text" | "json";
}

/** `sage-pipeline worker`: take business jobs from the queue until SIGTERM, then exit 0. */
export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run queued jobs (one business each) until SIGTERM; the job in flight finishes or goes back to the queue")
    .option("--queue <url>", "the queue: postgresql://user:password@host:5432/db (default: [runtime] queue_url)")
    .option("--destination <name>", "duckdb (one worker only) | postgres | ... (default: [pipeline] destination)")
    .option("--metrics-port <n>", "serve /metrics and /healthz on 127.0.0.1 at this port (0: any free one)")
    .addOption(new Option("--log-format <format>", "text lines, or one JSON object per line").choices(["text", "json"]))
    .action(async (flags: WorkerFlags) => {
      const config = cliConfig();
      // Through the logger, so that --log-format json keeps one JSON object per line.
      const log = logger("worker");
      const stops = stopOnSignals((line) => {
        log.warn(line);
      });
      try {
        await runWorker({
          config,
          stop: stops.signal,
          ...(flags.queue !== undefined ? { queueUrl: flags.queue } : {}),
          ...(flags.destination !== undefined ? { destination: flags.destination } : {}),
          ...(flags.metricsPort !== undefined ? { metricsPort: portFlag(flags.metricsPort) } : {}),
          ...(flags.logFormat !== undefined ? { logFormat: flags.logFormat } : {}),
        });
      } finally {
        stops.dispose();
      }
    });
}

function portFlag(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`--metrics-port ${JSON.stringify(value)} is not a port`, {
      hint: "give 0 to 65535 (0: any free port)",
    });
  }
  return n;
}
