import { addLogSink, type LogRecord } from "../../src/util/logger.js";

/** Collect the log records (warn and above, as the default threshold lets through) until `stop()`. */
export function captureLogs(): { records: LogRecord[]; readonly text: string; stop: () => void } {
  const records: LogRecord[] = [];
  const stop = addLogSink((r) => records.push(r));
  return {
    records,
    get text() {
      return records.map((r) => `${r.level} [${r.scope}] ${r.message}`).join("\n");
    },
    stop: () => {
      stop();
    },
  };
}
