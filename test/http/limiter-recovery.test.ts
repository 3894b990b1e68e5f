import { describe, expect, it } from "vitest";
import { ALLOWANCE_FLOOR, HostLimiter, RECOVERY_MS } from "../../src/http/limiter.js";

/** A limiter on a clock the test moves; nothing here waits for real time. */
function fakeClockLimiter(options: ConstructorParameters<typeof HostLimiter>[1]) {
  let now = 1_000_000;
  const limiter = new HostLimiter("h", options, undefined, () => now);
  return {
    limiter,
    advance: (ms: number) => {
      now += ms;
    },
    /** A request that starts now and is answered with `status`. */
    answer: async (status: number) => {
      const t = await limiter.acquire();
      t.release();
      limiter.onResponse(t, status);
    },
  };
}

describe("the limiter recovers after throttling (AIMD with a floor)", () => {
  it("halves on a 429, once per round, never below a fraction of the configured limits", async () => {
    const { limiter, advance, answer } = fakeClockLimiter({ maxConcurrency: 16, requestsPerSecond: 4000 });
    const early = await limiter.acquire();
    early.release();
    advance(1);
    await answer(429);
    expect(limiter.stats()).toMatchObject({ concurrency: 8, requestsPerSecond: 2000 });
    // A 429 from a request that started before the cut is the same overload: no second cut.
    limiter.onResponse(early, 429);
    expect(limiter.stats().concurrency).toBe(8);
    for (let i = 0; i < 10; i++) {
      advance(1);
      await answer(429);
    }
    expect(limiter.stats()).toMatchObject({ concurrency: 16 * ALLOWANCE_FLOOR, requestsPerSecond: 4000 * ALLOWANCE_FLOOR });
    expect(limiter.stats().rateLimited).toBe(12);
  });

  it("is back at the configured rate and concurrency within RECOVERY_MS of the last 429", async () => {
    const { limiter, advance, answer } = fakeClockLimiter({ maxConcurrency: 10, requestsPerSecond: 100 });
    for (let i = 0; i < 5; i++) {
      advance(1);
      await answer(429);
    }
    expect(limiter.stats().requestsPerSecond).toBe(25);
    // Find the recovery time on the fake clock, in 50 ms steps, with successes flowing.
    let elapsed = 0;
    while (limiter.stats().requestsPerSecond !== 100 || limiter.stats().concurrency !== 10) {
      advance(50);
      elapsed += 50;
      await answer(200);
      if (elapsed > 60_000) break;
    }
    expect(elapsed).toBeLessThanOrEqual(RECOVERY_MS);
    expect(RECOVERY_MS).toBeLessThanOrEqual(5_000);
    // Halfway there it is partly back: the climb is gradual, not a jump.
    for (let i = 0; i < 3; i++) {
      advance(1);
      await answer(429);
    }
    advance(RECOVERY_MS / 2);
    const mid = limiter.stats().requestsPerSecond ?? 0;
    expect(mid).toBeGreaterThan(25);
    expect(mid).toBeLessThan(100);
  });

  it("with adaptive: false it never cuts", async () => {
    const { limiter, advance, answer } = fakeClockLimiter({ maxConcurrency: 4, adaptive: false });
    advance(1);
    await answer(429);
    expect(limiter.stats().concurrency).toBe(4);
  });
});
