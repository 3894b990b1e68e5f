import { scrub } from "./redact.js";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface LogRecord {
  level: Exclude<LogLevel, "silent">;
  scope: string;
  message: string;
  time: Date;
}

/** Where log lines go. The default writes one line per record to stderr (data goes to stdout). */
export type LogSink = (record: LogRecord) => void;

const stderrSink: LogSink = (r) => {
  const tag = r.level === "info" ? "" : `${r.level.toUpperCase()} `;
  process.stderr.write(`${tag}[${r.scope}] ${r.message}\n`);
};

function levelFromEnv(): LogLevel {
  const raw = (process.env.RUNTIME__LOG_LEVEL ?? "").toLowerCase();
  if (raw === "warning") return "warn";
  if (raw === "critical") return "error";
  return raw in ORDER ? (raw as LogLevel) : "warn";
}

let threshold: LogLevel = levelFromEnv();
const sinks = new Set<LogSink>([stderrSink]);
let defaultSinkOn = true;

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export function getLogLevel(): LogLevel {
  return threshold;
}

/** Add a sink (tests capture output this way); returns a function that removes it. */
export function addLogSink(sink: LogSink): () => void {
  sinks.add(sink);
  return () => sinks.delete(sink);
}

/** Turn the stderr sink off (for instance while a progress display owns the terminal). */
export function setStderrLogging(on: boolean): void {
  if (on && !defaultSinkOn) sinks.add(stderrSink);
  if (!on && defaultSinkOn) sinks.delete(stderrSink);
  defaultSinkOn = on;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(scope: string): Logger;
}

/** A logger for one part of the program. Every message is scrubbed of secrets before any sink sees it. */
export function logger(scope: string): Logger {
  const emit = (level: Exclude<LogLevel, "silent">, message: string) => {
    if (ORDER[level] < ORDER[threshold]) return;
    const record: LogRecord = { level, scope, message: scrub(message), time: new Date() };
    for (const sink of sinks) sink(record);
  };
  return {
    debug: (m) => {
      emit("debug", m);
    },
    info: (m) => {
      emit("info", m);
    },
    warn: (m) => {
      emit("warn", m);
    },
    error: (m) => {
      emit("error", m);
    },
    child: (s) => logger(`${scope}:${s}`),
  };
}
