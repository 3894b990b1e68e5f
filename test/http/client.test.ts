import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigResolver } from "../../src/config/index.js";
import {
  AuthenticationError,
  ConnectionError,
  HttpClient,
  HttpError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  type RequestEvent,
  ResponseFormatError,
  ServerError,
  resolveRetryPolicy,
} from "../../src/http/index.js";
import { FixtureServer } from "../fixtures/http-server.js";

let server: FixtureServer;
beforeAll(async () => {
  server = await FixtureServer.start();
  server.route("GET", "/ok", () => ({ body: { ok: true } }));
  server.route("GET", "/html", () => ({ body: "<html>login</html>" }));
  for (const s of [400, 401, 403, 404, 422])
    server.route("GET", `/status/${s}`, () => ({ status: s, body: { message: `nope ${s}` } }));
  server.route("GET", "/slow", async () => {
    await new Promise((r) => setTimeout(r, 400));
    return { body: { ok: true } };
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
});

const fast = { requestBackoffFactor: 0.01, requestMaxAttempts: 5, requestMaxRetryDelay: 2, requestTimeout: 5 };

function client(events: RequestEvent[] = [], retry: Partial<typeof fast> = {}) {
  return new HttpClient({ retry: { ...fast, ...retry }, onEvent: (e) => events.push(e), random: () => 1 });
}

describe("HttpClient retries", () => {
  it("retries a burst of 5xx with backoff, then succeeds", async () => {
    server.faults("/ok", [{ status: 503 }, { status: 502 }, { status: 408 }, { status: 500 }]);
    const events: RequestEvent[] = [];
    const res = await client(events).request({ url: `${server.url}/ok` });
    expect(res.json()).toEqual({ ok: true });
    expect(server.requestsTo("/ok")).toHaveLength(5);
    const retries = events.flatMap((e) => (e.type === "retry" ? [e] : []));
    // random() = 1 puts each wait at the top of its range: factor * 2^(n-1) seconds.
    expect(retries.map((e) => e.delayMs)).toEqual([10, 20, 40, 80]);
    expect(retries.map((e) => e.status)).toEqual([503, 502, 408, 500]);
  });

  it("gives up after request_max_attempts with a ServerError that says how many", async () => {
    server.faults(
      "/ok",
      Array.from({ length: 5 }, () => ({ status: 503 })),
    );
    const err = await client([], { requestMaxAttempts: 3 })
      .request({ url: `${server.url}/ok`, label: "resource x" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    const e = err as ServerError;
    expect(e.status).toBe(503);
    expect(e.attempts).toBe(3);
    expect(e.message).toContain("resource x: GET http://127.0.0.1");
    expect(e.message).toContain("503");
    expect(e.message).toContain("after 3 attempts");
    expect(server.requestsTo("/ok")).toHaveLength(3);
  });

  it("honours Retry-After in seconds instead of the backoff", async () => {
    server.faults("/ok", [{ status: 429, retryAfter: "0.3" }]);
    const events: RequestEvent[] = [];
    const t0 = Date.now();
    await client(events).request({ url: `${server.url}/ok` });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(events.find((e) => e.type === "retry")).toMatchObject({ delayMs: 300, status: 429 });
  });

  it("honours Retry-After as an HTTP date", async () => {
    server.faults("/ok", [{ status: 503, retryAfter: new Date(Date.now() + 1500).toUTCString() }]);
    const events: RequestEvent[] = [];
    await client(events).request({ url: `${server.url}/ok` });
    const retry = events.find((e) => e.type === "retry");
    expect(retry?.type === "retry" && retry.delayMs).toBeGreaterThan(0);
    expect(retry?.type === "retry" && retry.delayMs).toBeLessThanOrEqual(1500);
  });

  it("fails at once when Retry-After asks for more than request_max_retry_delay, saying how long", async () => {
    server.faults("/ok", [{ status: 429, retryAfter: "3600" }]);
    const t0 = Date.now();
    const err = await client([], { requestMaxRetryDelay: 300 })
      .request({ url: `${server.url}/ok` })
      .catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs).toBe(3_600_000);
    expect((err as Error).message).toContain(
      "the API asked to wait 60 min (Retry-After: 3600), longer than runtime.request_max_retry_delay (300 s)",
    );
    expect(server.requestsTo("/ok")).toHaveLength(1);
  });

  it("retries dropped connections and truncated bodies", async () => {
    server.faults("/ok", ["drop", "truncate", "drop"]);
    const events: RequestEvent[] = [];
    const res = await client(events).request({ url: `${server.url}/ok` });
    expect(res.json()).toEqual({ ok: true });
    expect(events.filter((e) => e.type === "retry")).toHaveLength(3);
  });

  it("turns persistent network failures into a ConnectionError", async () => {
    server.faults("/ok", ["drop", "drop", "drop"]);
    const err = await client([], { requestMaxAttempts: 3 })
      .request({ url: `${server.url}/ok` })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toContain("after 3 attempts");
  });

  it("retries timeouts and reports them as such", async () => {
    const err = await client([], { requestTimeout: 0.1, requestMaxAttempts: 2 })
      .request({ url: `${server.url}/slow` })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toContain("timed out after 100 ms");
    expect(server.requestsTo("/slow")).toHaveLength(2);
  });

  it("maps statuses to the taxonomy in one place and does not retry other 4xx", async () => {
    const c = client();
    const classes = [
      [401, AuthenticationError],
      [403, PermissionDeniedError],
      [404, NotFoundError],
      [400, HttpError],
      [422, HttpError],
    ] as const;
    for (const [status, cls] of classes) {
      const err = await c.request({ url: `${server.url}/status/${status}` }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(cls);
      expect((err as HttpError).status).toBe(status);
      expect((err as HttpError).bodyExcerpt).toContain(`nope ${status}`);
      expect((err as HttpError).hint).toBeTruthy();
    }
    expect(server.requests).toHaveLength(classes.length);
  });

  it("says when a body is not JSON, after retrying it (a 200 with a web page is a proxy or server in trouble)", async () => {
    const err = await client([], { requestMaxAttempts: 2 })
      .request({ url: `${server.url}/html` })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseFormatError);
    expect((err as Error).message).toMatch(/not JSON \(text\/plain.*after 2 attempts/);
    expect(server.requestsTo("/html")).toHaveLength(2);
    // Asked for something else than JSON, the body is the caller's business.
    const res = await client().request({ url: `${server.url}/html`, headers: { accept: "text/html" } });
    expect(() => res.json()).toThrow(ResponseFormatError);
  });

  it("returns non-2xx responses when asked to", async () => {
    const res = await client().request({ url: `${server.url}/status/404`, returnErrors: true });
    expect(res.status).toBe(404);
  });

  it("retries a 200 that a retryCondition rejects", async () => {
    let n = 0;
    server.route("GET", "/flaky-body", () => ({ body: { error: n++ < 2 ? "busy" : null, data: [1] } }));
    const c = new HttpClient({ retry: fast, retryCondition: (r) => (r.json() as { error: unknown }).error !== null });
    const res = await c.request({ url: `${server.url}/flaky-body` });
    expect(res.json()).toEqual({ error: null, data: [1] });
    expect(server.requestsTo("/flaky-body")).toHaveLength(3);
  });

  it("stops waiting when the caller aborts", async () => {
    server.faults("/ok", [{ status: 503, retryAfter: "1" }]);
    const ac = new AbortController();
    setTimeout(() => {
      ac.abort(new Error("stop"));
    }, 50);
    const t0 = Date.now();
    await expect(client().request({ url: `${server.url}/ok`, signal: ac.signal })).rejects.toThrow("stop");
    expect(Date.now() - t0).toBeLessThan(800);
  });
});

describe("runtime config", () => {
  it("uses dlt's defaults", () => {
    const p = resolveRetryPolicy(new ConfigResolver([]));
    expect(p).toEqual({
      requestTimeout: 60,
      requestStallTimeout: 20,
      requestMaxAttempts: 5,
      requestBackoffFactor: 1,
      requestMaxRetryDelay: 300,
    });
  });

  it("reads [runtime] from .dlt/config.toml and RUNTIME__* env vars, env first, explicit values over both", () => {
    const dir = mkdtempSync(join(tmpdir(), "rt-"));
    mkdirSync(join(dir, ".dlt"));
    writeFileSync(join(dir, ".dlt", "config.toml"), "[runtime]\nrequest_timeout = 12\nrequest_max_attempts = 7\n");
    const resolver = ConfigResolver.fromCwd(dir, { RUNTIME__REQUEST_MAX_ATTEMPTS: "3", RUNTIME__REQUEST_BACKOFF_FACTOR: "0.5" });
    expect(resolveRetryPolicy(resolver)).toEqual({
      requestTimeout: 12,
      requestStallTimeout: 20,
      requestMaxAttempts: 3,
      requestBackoffFactor: 0.5,
      requestMaxRetryDelay: 300,
    });
    expect(resolveRetryPolicy(resolver, { requestTimeout: 1 }).requestTimeout).toBe(1);
  });
});
