/**
 * When to retry and how long to wait. dlt (tenacity) waits `factor * 2^(n-1)` seconds with no
 * jitter, so every client that failed together retries together; here the wait is drawn
 * uniformly from [0, that] ("full jitter"), which spreads a thundering herd.
 */

/** dlt's `[runtime]` knobs, in seconds, with dlt's defaults. */
export interface RetryPolicy {
  /** `request_timeout`: per attempt (connect, headers and the whole body), seconds. */
  requestTimeout: number;
  /** `request_stall_timeout`: the longest silence (before the headers or between body chunks), seconds. Not in dlt. */
  requestStallTimeout: number;
  /** `request_max_attempts`: total attempts including the first. */
  requestMaxAttempts: number;
  /** `request_backoff_factor`: the first retry waits up to this many seconds, then doubling. */
  requestBackoffFactor: number;
  /** `request_max_retry_delay`: the longest single wait, seconds; a longer Retry-After fails. */
  requestMaxRetryDelay: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  requestTimeout: 60,
  requestStallTimeout: 20,
  requestMaxAttempts: 5,
  requestBackoffFactor: 1,
  requestMaxRetryDelay: 300,
});

/** 408 request timeout, 429 throttled, every 5xx. Other 4xx mean the request itself is wrong. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** The wait before retry number `attempt` (1 = after the first failure), in milliseconds. */
export function backoffDelayMs(
  attempt: number,
  policy: Pick<RetryPolicy, "requestBackoffFactor" | "requestMaxRetryDelay">,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.requestMaxRetryDelay, Math.max(0, policy.requestBackoffFactor * 2 ** (attempt - 1)));
  return Math.round(random() * ceiling * 1000);
}

/**
 * `Retry-After` as milliseconds from `now`: either delta-seconds (`120`, `1.5`) or an HTTP date.
 * Undefined when absent or unparseable (the caller then falls back to backoff, like dlt). A date
 * in the past means "now".
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** A number of milliseconds for humans: `850 ms`, `12 s`, `1 h 5 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min${s % 60 ? ` ${s % 60} s` : ""}`;
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
}

/** Sleep that wakes early, with the signal's reason, when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
