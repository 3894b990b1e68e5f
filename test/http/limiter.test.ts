import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BudgetExceededError, HostLimiter, HttpClient, type RequestEvent } from "../../src/http/index.js";
import { FixtureServer } from "../fixtures/http-server.js";

let server: FixtureServer;
beforeAll(async () => {
  server = await FixtureServer.start();
  server.route("GET", "/x", () => ({ body: { ok: true } }));
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
});

const fast = { requestBackoffFactor: 0.01, requestMaxAttempts: 8, requestMaxRetryDelay: 5, requestTimeout: 10 };

describe("per-host limiter", () => {
  it("never has more requests in flight than maxConcurrency", async () => {
    server.latencyMs = 30;
    const c = new HttpClient({ retry: fast, limiter: { maxConcurrency: 3 } });
    await Promise.all(Array.from({ length: 24 }, () => c.request({ url: `${server.url}/x` })));
    expect(server.maxInFlight).toBe(3);
    const [stats] = c.limiters.stats();
    expect(stats?.maxInFlight).toBe(3);
    expect(stats?.inFlight).toBe(0);
  });

  it("keeps to requestsPerSecond in every window, exactly", async () => {
    const starts: number[] = [];
    const c = new HttpClient({
      retry: fast,
      limiter: { maxConcurrency: 20, requestsPerSecond: 10 },
      onEvent: (e) => {
        if (e.type === "request") starts.push(e.startedAt);
      },
    });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 25 }, () => c.request({ url: `${server.url}/x` })));
    const elapsed = Date.now() - t0;
    // 10 now, 10 one second later, 5 two seconds later.
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(4000);
    // Measured where requests leave the limiter: the 11th start is a full second after the 1st, and so on.
    starts.sort((a, b) => a - b);
    for (let i = 10; i < starts.length; i++)
      expect((starts[i] as number) - (starts[i - 10] as number)).toBeGreaterThanOrEqual(1000);
  });

  it("spaces requests below one per period", async () => {
    const l = new HostLimiter("h", { requestsPerMinute: 120 }); // one every 500 ms
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) (await l.acquire()).release();
    // Two per second means the first two go at once (count 2 per second window), the third after ~1 s.
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(l.stats().requestsPerMinute).toBe(120);
  });

  it("refuses requests past the daily budget without sending them", async () => {
    const c = new HttpClient({ retry: fast, limiter: { dailyBudget: 3 } });
    for (let i = 0; i < 3; i++) await c.request({ url: `${server.url}/x` });
    const err = await c.request({ url: `${server.url}/x` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect((err as Error).message).toContain("daily budget of 3 requests");
    expect(server.requests).toHaveLength(3);
  });

  it("on 429 cuts concurrency (AIMD) and grows it back", async () => {
    server.latencyMs = 10;
    server.throttle("/x", { maxConcurrent: 2 });
    const events: RequestEvent[] = [];
    const c = new HttpClient({ retry: fast, limiter: { maxConcurrency: 8 }, onEvent: (e) => events.push(e) });
    await Promise.all(Array.from({ length: 100 }, () => c.request({ url: `${server.url}/x` })));
    const limiterEvents = events.flatMap((e) => (e.type === "limiter" ? [e] : []));
    expect(limiterEvents.some((e) => e.reason.startsWith("429"))).toBe(true);
    expect(limiterEvents.some((e) => e.reason.startsWith("recovering"))).toBe(true);
    expect(Math.min(...limiterEvents.map((e) => e.stats.concurrency))).toBeLessThanOrEqual(2);
    // The first burst of 8 draws 429s; once adapted, only a rare probe above the limit does.
    // (Bounds leave room for a starved CI machine, where requests overlap longer than planned.)
    const statuses = events.flatMap((e) => (e.type === "response" ? [e.status] : []));
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.slice(-50).filter((s) => s === 429).length).toBeLessThanOrEqual(5);
    expect(c.limiters.stats()[0]?.rateLimited).toBeLessThan(40);
  });

  it("a 429's Retry-After delays the throttled request's retry, not the host's other requests", async () => {
    server.faults("/x", [{ status: 429, retryAfter: "2" }]);
    const events: RequestEvent[] = [];
    const c = new HttpClient({ retry: fast, limiter: { maxConcurrency: 4, adaptive: false }, onEvent: (e) => events.push(e) });
    const first = c.request({ url: `${server.url}/x` });
    await new Promise((r) => setTimeout(r, 50));
    await c.request({ url: `${server.url}/x` });
    // The second request went out while the first still waited its 2 s.
    expect(events.flatMap((e) => (e.type === "response" ? [e.status] : []))).toEqual([429, 200]);
    expect(events.find((e) => e.type === "retry")).toMatchObject({ delayMs: 2000, status: 429 });
    await first;
  });
});
