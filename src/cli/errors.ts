import { CommanderError } from "commander";
import { ConfigError, PipelineError, PipelineStepFailed, errorMessage } from "../util/errors.js";

/** Exit codes: 0 ok, 1 a run failed, 2 bad usage or configuration. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof ConfigError) return 2;
  if (err instanceof PipelineStepFailed && err.cause instanceof ConfigError) return 2;
  return 1;
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
