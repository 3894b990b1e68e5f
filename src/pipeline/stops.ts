import { PipelineError } from "../util/errors.js";

/** What the CLI prints when a run stops on a signal; the next run finishes the work. */
export const INTERRUPTED_MESSAGE = "interrupted: run again to finish";

/**
 * The run stopped because its `signal` aborted (SIGINT, SIGTERM): the step in flight finished or
 * rolled back, nothing half-done is left, and the next run picks up the pending packages.
 * Transient: nothing is lost and running again is the fix.
 */
export class InterruptedError extends PipelineError {
  readonly transient = true;

  constructor(
    /** The signal's name when a signal stopped the run (`signal.reason` given as a string). */
    readonly signalName: string | undefined,
    readonly step: string,
  ) {
    super(`${INTERRUPTED_MESSAGE} (stopped${signalName ? ` by ${signalName}` : ""} at step ${step})`, {
      hint: "pending packages are kept and finished first by the next run; nothing is loaded twice",
    });
  }

  /** 128 + the signal number, as shells report a process ended by that signal; else 1. */
  get exitCode(): number {
    if (this.signalName === "SIGINT") return 130;
    if (this.signalName === "SIGTERM") return 143;
    return 1;
  }
}

/** Another process (or Pipeline object) is running this pipeline in this working dir. */
export class LockHeldError extends PipelineError {
  readonly transient = true;

  constructor(
    readonly pipelineName: string,
    readonly holderPid: number,
    readonly holderSince: Date,
  ) {
    const hhmm = `${String(holderSince.getHours()).padStart(2, "0")}:${String(holderSince.getMinutes()).padStart(2, "0")}`;
    super(`pipeline ${pipelineName} is running (pid ${holderPid} since ${hhmm})`, {
      hint: "wait for it to finish (run --wait waits), or stop it; a run whose process is gone holds nothing",
    });
  }
}

/** Throw InterruptedError when `signal` aborted; called between steps and packages. */
export function throwIfStopped(signal: AbortSignal | undefined, step: string): void {
  if (signal?.aborted) throw new InterruptedError(signalNameOf(signal), step);
}

export function signalNameOf(signal: AbortSignal): string | undefined {
  const r: unknown = signal.reason;
  return typeof r === "string" ? r : undefined;
}
