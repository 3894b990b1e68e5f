#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { setLogLevel } from "../util/logger.js";
import { registerAi } from "./commands/ai.js";
import { registerAuth } from "./commands/auth.js";
import { registerDemo } from "./commands/demo.js";
import { registerInit } from "./commands/init.js";
import { registerModels } from "./commands/models.js";
import { registerMcp } from "./commands/mcp.js";
import { registerPipeline } from "./commands/pipeline.js";
import { registerResources } from "./commands/resources.js";
import { registerSandbox } from "./commands/sandbox.js";
import { registerShow } from "./commands/show.js";
import { registerRun } from "./commands/run.js";
import { registerEnqueue } from "./commands/enqueue.js";
import { registerJobs } from "./commands/jobs.js";
import { registerWorker } from "./commands/worker.js";
import { registerSchedule } from "./commands/schedule.js";
import { registerDeploy } from "./commands/deploy.js";
import { INTERRUPTED_MESSAGE } from "../pipeline/stops.js";
import { InterruptedError, findCause } from "../util/errors.js";
import { exitCodeFor, reportError } from "./errors.js";
import { registerBuiltinSources } from "./builtin-sources.js";
import { packageVersion } from "./version.js";

export function buildProgram(): Command {
  const program = new Command("sage-pipeline")
    .description("Load Sage Accounting data into DuckDB, Postgres or files, incrementally and exactly once.")
    .version(packageVersion(), "-V, --version")
    .option("-v, --verbose", "more logging and stack traces on errors")
    .option("--log-level <level>", "debug | info | warn | error")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .hook("preAction", (cmd) => {
      const o = cmd.optsWithGlobals<{ verbose?: boolean; logLevel?: string }>();
      if (o.logLevel) setLogLevel(o.logLevel as never);
      else if (o.verbose) setLogLevel("info");
    });
  registerInit(program);
  registerRun(program);
  registerAuth(program);
  registerSandbox(program);
  registerDemo(program);
  registerPipeline(program);
  registerResources(program);
  registerShow(program);
  registerModels(program);
  registerMcp(program);
  registerAi(program);
  registerWorker(program);
  registerEnqueue(program);
  registerJobs(program);
  registerSchedule(program);
  registerDeploy(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  registerBuiltinSources();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return exitCodeFor(err);
    // A clean stop on SIGINT/SIGTERM: one line, and the shell's code for that signal.
    if (findCause(err, InterruptedError)) {
      process.stderr.write(`${INTERRUPTED_MESSAGE}\n`);
      return exitCodeFor(err);
    }
    reportError(err, argv.includes("--verbose") || argv.includes("-v"));
    return exitCodeFor(err);
  }
}

/**
 * `sage-pipeline ... | head -1`: the reader went away, so there is nobody left to tell; end
 * quietly instead of dying on an unhandled EPIPE with a stack trace.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  });
}
quietOnClosedPipe(process.stdout);
quietOnClosedPipe(process.stderr);

main(process.argv).then(
  (code) => {
    process.exitCode = code;
    // After a stop, a handle left open (a server, a keep-alive socket) must not hold the exit.
    if (code === 130 || code === 143) setTimeout(() => process.exit(code), 3000).unref();
  },
  (err: unknown) => {
    reportError(err, true);
    process.exitCode = 1;
  },
);
