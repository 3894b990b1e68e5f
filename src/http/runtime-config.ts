import { ConfigResolver } from "../config/index.js";
import { ConfigError } from "../util/errors.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.js";

const KEYS: ReadonlyArray<[keyof RetryPolicy, string]> = [
  ["requestTimeout", "request_timeout"],
  ["requestMaxAttempts", "request_max_attempts"],
  ["requestBackoffFactor", "request_backoff_factor"],
  ["requestMaxRetryDelay", "request_max_retry_delay"],
];

/**
 * The retry policy from dlt's `[runtime]` section (`.dlt/config.toml`) or `RUNTIME__REQUEST_*`
 * env vars, with explicit values winning over both and dlt's defaults filling the rest.
 */
export function resolveRetryPolicy(resolver?: ConfigResolver, explicit: Partial<RetryPolicy> = {}): RetryPolicy {
  const r = resolver ?? ConfigResolver.fromCwd();
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY };
  for (const [field, key] of KEYS) {
    const given = explicit[field];
    const value = given ?? r.number(["runtime"], key);
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) {
      throw new ConfigError(`runtime.${key} must be a non-negative number, got ${String(value)}`, {
        hint: `fix ${key} in [runtime] of .dlt/config.toml or the RUNTIME__${key.toUpperCase()} environment variable`,
      });
    }
    policy[field] = value;
  }
  policy.requestMaxAttempts = Math.max(1, Math.floor(policy.requestMaxAttempts));
  return policy;
}
