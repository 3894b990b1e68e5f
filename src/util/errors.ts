import { type ErrorKind, kindOfCode, knownCode } from "./error-kind.js";
import { scrub } from "./redact.js";

export type { ErrorKind } from "./error-kind.js";

export interface PipelineErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Overrides the kind the class declares or the cause implies. */
  kind?: ErrorKind;
}

/**
 * The base of every error this package throws on purpose. The message says what failed and
 * where; `hint` says what to do next; `kind` says whether running again can help (see
 * util/error-kind.ts). Messages are scrubbed of registered secrets at creation, so an error can
 * be printed or logged anywhere.
 *
 * The kind is, in order: `options.kind`; the kind the class declares (`TerminalError` and its
 * subclasses such as ConfigError are terminal, `TransientError` transient); the kind of the
 * cause (so a wrapper such as PipelineStepFailed is what it wraps, and a driver error's code
 * decides for the error made of it); else transient, since "failed, run again" promises the
 * least.
 */
export class PipelineError extends Error {
  /** The kind of every instance of the class; undefined: decided per instance as above. */
  static readonly declaredKind: ErrorKind | undefined = undefined;
  readonly hint: string | undefined;
  readonly kind: ErrorKind;

  constructor(message: string, options?: PipelineErrorOptions) {
    super(scrub(message), options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.hint = options?.hint !== undefined ? scrub(options.hint) : undefined;
    this.kind = options?.kind ?? new.target.declaredKind ?? kindOf(options?.cause) ?? "transient";
  }

  /** Message plus hint, as the CLI prints it. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

/** Failed, but nothing is lost: running again (later) can succeed. The CLI exits with code 1. */
export class TransientError extends PipelineError {
  static override readonly declaredKind: ErrorKind = "transient";
}

/** Running again cannot help until the user changes something. The CLI exits with code 2. */
export class TerminalError extends PipelineError {
  static override readonly declaredKind: ErrorKind = "terminal";
}

/** Bad configuration, credentials or usage: terminal (exit code 2). */
export class ConfigError extends TerminalError {}

/** Bad data from a source (not a destination or network problem); its kind comes from its cause, else transient. */
export class DataError extends PipelineError {}

/** Signals that stop a run, and the exit code each gives (128 + the signal's number, as shells report it). */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * The run was stopped by a signal (Ctrl-C, SIGTERM) and cleaned up: nothing is lost and running
 * again finishes it. Transient, but the CLI exits with `exitCode` (130 / 143), not 1. Abort a run
 * with it as the signal's reason and every wait in the engine rejects with it.
 */
export class InterruptedError extends TransientError {
  readonly exitCode: number;

  constructor(
    readonly signal: StopSignal,
    message = `interrupted by ${signal}: run again to finish`,
  ) {
    super(message);
    this.exitCode = SIGNAL_EXIT_CODES[signal];
  }
}

/**
 * The kind of any thrown value: what a PipelineError declares, else what its driver code (or a
 * cause's) implies; undefined when nothing says (an unknown error: the caller's default applies).
 */
export function kindOf(err: unknown): ErrorKind | undefined {
  if (err instanceof PipelineError) return err.kind;
  return kindOfCode(knownCode(err));
}

/** `err` or the first error in its cause chain that is an instance of `type`. */
export function findCause<T>(err: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 16; depth++) {
    if (e instanceof type) return e;
    e = e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

/** A step of the pipeline failed; `step` is extract | normalize | load, `loadId` when known. Its kind is its cause's. */
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
