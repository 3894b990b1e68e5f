import { scrub } from "./redact.js";

/**
 * The base of every error this package throws on purpose. The message says what failed and
 * where; `hint` says what to do next. Messages are scrubbed of registered secrets at creation,
 * so an error can be printed or logged anywhere.
 */
export class PipelineError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(scrub(message), options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.hint = options?.hint !== undefined ? scrub(options.hint) : undefined;
  }

  /** Message plus hint, as the CLI prints it. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

/** Bad configuration or usage: the CLI exits with code 2. */
export class ConfigError extends PipelineError {}

/** Bad data from a source (not a destination or network problem). */
export class DataError extends PipelineError {}

/** A step of the pipeline failed; `step` is extract | normalize | load, `loadId` when known. */
export class PipelineStepFailed extends PipelineError {
  constructor(
    readonly pipelineName: string,
    readonly step: "extract" | "normalize" | "load" | "sync",
    readonly loadId: string | undefined,
    cause: unknown,
  ) {
    const inner = cause instanceof Error ? cause.message : String(cause);
    const where = loadId ? ` (load package ${loadId})` : "";
    super(`Pipeline ${pipelineName} failed at step ${step}${where}: ${inner}`, {
      cause,
      hint: cause instanceof PipelineError ? cause.hint : undefined,
    });
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof PipelineError) return err.describe();
  if (err instanceof Error) return scrub(err.message);
  return scrub(String(err));
}
