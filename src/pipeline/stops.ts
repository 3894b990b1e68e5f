import { InterruptedError, TransientError } from "../util/errors.js";

/** What the CLI prints when a run stops on a signal; the next run finishes the work. */
export const INTERRUPTED_MESSAGE = "interrupted: run again to finish";

/** Another process (or Pipeline object) is running this pipeline in this working dir: run again later. */
export class LockHeldError extends TransientError {
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

/**
 * Between steps and packages: when `signal` aborted, stop here. The reason is thrown as it is
 * when it is an error (the CLI aborts with an InterruptedError naming the signal), else an
 * InterruptedError (a library caller's plain `abort()`).
 */
export function throwIfStopped(signal: AbortSignal | undefined, step: string): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== "AbortError") throw reason;
  throw new InterruptedError("SIGTERM", `${INTERRUPTED_MESSAGE} (stopped at step ${step})`);
}
