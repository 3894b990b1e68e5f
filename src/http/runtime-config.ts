import { ConfigResolver, configSpec, field } from "../config/index.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.js";

/**
 * dlt's `[runtime]` section (`RUNTIME__*` env vars), with dlt's names and defaults. Explicit
 * values in code win over it.
 */
export const RUNTIME_SPEC = configSpec({
  title: "HTTP runtime",
  section: ["runtime"],
  fields: {
    requestTimeout: field.number({
      doc: "seconds one HTTP attempt (connect, headers and the whole body) may take before it is abandoned and retried",
      default: DEFAULT_RETRY_POLICY.requestTimeout,
      positive: true,
    }),
    requestStallTimeout: field.number({
      doc: "seconds without a byte (before the headers or mid-body) after which an attempt is abandoned and retried",
      default: DEFAULT_RETRY_POLICY.requestStallTimeout,
      positive: true,
    }),
    requestMaxAttempts: field.integer({
      doc: "attempts per request, the first included (429, 5xx and dropped connections are retried)",
      default: DEFAULT_RETRY_POLICY.requestMaxAttempts,
      min: 1,
    }),
    requestBackoffFactor: field.number({
      doc: "the first retry waits up to this many seconds, doubling after each (with full jitter)",
      default: DEFAULT_RETRY_POLICY.requestBackoffFactor,
      min: 0,
    }),
    requestMaxRetryDelay: field.number({
      doc: "the longest single wait in seconds; a longer Retry-After fails the request",
      default: DEFAULT_RETRY_POLICY.requestMaxRetryDelay,
      min: 0,
    }),
    logLevel: field.choice(["debug", "info", "warn", "warning", "error", "critical"], {
      doc: "what the CLI logs on stderr",
      default: "warning",
    }),
  },
});

/**
 * The retry policy: explicit values, then `[runtime]` from the resolver, then dlt's defaults.
 * Without a resolver only explicit values and the defaults count (nothing reads the working
 * directory on its own).
 */
export function resolveRetryPolicy(resolver?: ConfigResolver, explicit: Partial<RetryPolicy> = {}): RetryPolicy {
  const { values } = (resolver ?? ConfigResolver.empty()).resolve(RUNTIME_SPEC, explicit);
  return {
    requestTimeout: values.requestTimeout,
    requestStallTimeout: values.requestStallTimeout,
    requestMaxAttempts: values.requestMaxAttempts,
    requestBackoffFactor: values.requestBackoffFactor,
    requestMaxRetryDelay: values.requestMaxRetryDelay,
  };
}
