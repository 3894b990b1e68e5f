import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelayMs, isRetryableStatus, parseRetryAfter } from "../../src/http/index.js";

describe("retry rules", () => {
  it("retries 408, 429 and 5xx only", () => {
    expect([408, 429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 301, 400, 401, 403, 404, 409, 422].some(isRetryableStatus)).toBe(false);
  });

  it("full jitter: each wait lies in [0, min(max, factor * 2^(n-1))] seconds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, factor, r) => {
          const policy = { requestBackoffFactor: factor, requestMaxRetryDelay: 300 };
          const ms = backoffDelayMs(attempt, policy, () => r);
          const ceiling = Math.min(300, factor * 2 ** (attempt - 1)) * 1000;
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThanOrEqual(Math.round(ceiling) + 1);
        },
      ),
    );
  });

  it("with the top of the jitter range it is dlt's schedule 1, 2, 4, 8 s, capped by the max delay", () => {
    const policy = { requestBackoffFactor: 1, requestMaxRetryDelay: 5 };
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, policy, () => 1))).toEqual([1000, 2000, 4000, 5000]);
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
    expect(parseRetryAfter(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
    expect(parseRetryAfter(new Date(now - 90_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
