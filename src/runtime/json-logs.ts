import pino from "pino";
import { addLogSink, setStderrLogging } from "../util/logger.js";

/** What the JSON lines carry besides the message: the job in flight. */
export interface LogContext {
  job?: string;
  business?: string;
  loadId?: string;
}

/**
 * `--log-format json`: every log record as one JSON object per line on stderr (pino), with the
 * job, business and load id in flight. Records reach the sink already scrubbed of secrets (the
 * logger's scrubbing), so nothing here sees a secret. Returns the context to update and a stop.
 */
export function jsonLogs(worker: string): { context: LogContext; stop: () => void } {
  const out = pino({ base: { worker }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: true }));
  const context: LogContext = {};
  setStderrLogging(false);
  const remove = addLogSink((r) => {
    const fields = {
      scope: r.scope,
      ...(context.job ? { job: context.job } : {}),
      ...(context.business ? { business: context.business } : {}),
      ...(context.loadId ? { load_id: context.loadId } : {}),
    };
    out[r.level](fields, r.message);
  });
  return {
    context,
    stop: () => {
      remove();
      setStderrLogging(true);
    },
  };
}
