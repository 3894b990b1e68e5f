import { ConfigResolver } from "../../src/config/index.js";
import type { Resource } from "../../src/extract/index.js";
import type { RequestEvent } from "../../src/http/index.js";
import { restApiResources, type RESTAPIConfig } from "../../src/rest/index.js";
import { addLogSink, type LogRecord } from "../../src/util/logger.js";

/** Retries that take milliseconds, and no config files from the working directory. */
export const FAST_RETRY = { requestBackoffFactor: 0.01, requestMaxAttempts: 4, requestMaxRetryDelay: 2, requestTimeout: 5 };
export const EMPTY_RESOLVER = new ConfigResolver([]);

export function build(config: RESTAPIConfig, events?: RequestEvent[]): Resource[] {
  return restApiResources(config, {
    retry: FAST_RETRY,
    resolver: EMPTY_RESOLVER,
    onEvent: events ? (e) => events.push(e) : undefined,
  });
}

export function byName(resources: Resource[], name: string): Resource {
  const r = resources.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name}`);
  return r;
}

/** Collect log records (all levels that pass the threshold) while `fn` runs. */
export async function captureLogs<T>(fn: () => Promise<T>): Promise<{ result: T; logs: LogRecord[] }> {
  const logs: LogRecord[] = [];
  const remove = addLogSink((r) => logs.push(r));
  try {
    return { result: await fn(), logs };
  } finally {
    remove();
  }
}

export const ids = (items: unknown[]) => items.map((i) => (i as { id: number }).id);
export const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
