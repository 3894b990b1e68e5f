import { CommanderError } from "commander";
import { InterruptedError, PipelineError, errorMessage, findCause, kindOf } from "../util/errors.js";

/**
 * Exit codes, by the error's type (never its message): 0 ok; 1 the run failed, nothing is lost,
 * run again (a transient error, or one nothing classifies); 2 the user must change something
 * (a terminal error: configuration, credentials, usage); 130 / 143 stopped by SIGINT / SIGTERM.
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  const interrupted = findCause(err, InterruptedError);
  if (interrupted) return interrupted.exitCode;
  return kindOf(err) === "terminal" ? 2 : 1;
}

/** One or two lines for humans; the stack only with --verbose. */
export function reportError(err: unknown, verbose: boolean): void {
  const text = errorMessage(err);
  process.stderr.write(`error: ${text}\n`);
  if (verbose && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack.split("\n").slice(1).join("\n")}\n`);
    let cause = err.cause;
    while (cause instanceof Error) {
      process.stderr.write(`caused by: ${cause instanceof PipelineError ? cause.message : errorMessage(cause)}\n`);
      cause = cause.cause;
    }
  }
}
