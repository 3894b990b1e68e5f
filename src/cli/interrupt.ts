import { InterruptedError } from "../util/errors.js";

/**
 * SIGINT and SIGTERM stop a command cleanly: the first one aborts `signal` (with an
 * InterruptedError naming the signal as the reason), so the pipeline stops extracting, lets the step in flight finish or roll
 * back, removes its `.tmp` folders and throws InterruptedError; the CLI then prints
 * "interrupted: run again to finish" and exits 130 / 143. A second signal exits at once (what is
 * half done is finished or dropped by the next run, as after a crash).
 */
export function stopOnSignals(
  /** Where the one-line notices go (default stderr; a worker logging JSON sends them through its logger). */
  say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: "SIGINT" | "SIGTERM") => {
    if (controller.signal.aborted) {
      say(`${name} again: stopped at once; run again to finish`);
      process.exit(name === "SIGINT" ? 130 : 143);
    }
    say(`${name}: stopping (the step in flight finishes; ${name} again stops at once)`);
    controller.abort(new InterruptedError(name));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
