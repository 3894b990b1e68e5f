import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AttemptContext, decideAfterFailure, whyNotRetried } from "../../src/http/decide.js";
import { ConnectionError, HttpClient, REST_HINT_WORDS, type RequestEvent, ResponseFormatError } from "../../src/http/index.js";
import { DEFAULT_RETRY_POLICY } from "../../src/http/retry.js";
import type { NetworkFailure } from "../../src/http/send.js";

const failure = (code: string | undefined, extra: Partial<NetworkFailure> = {}): NetworkFailure => ({
  timedOut: undefined,
  code,
  description: `fetch failed: ${code ?? "?"}`,
  answered: false,
  cause: new Error("x"),
  ...extra,
});

const ctx = (attempt = 1): AttemptContext => ({
  attempt,
  policy: { ...DEFAULT_RETRY_POLICY },
  random: () => 0.5,
  words: { ...REST_HINT_WORDS, baseUrl: "base_url in [sources.sage_accounting_source]" },
  details: { method: "GET", url: "https://api.example/v3.1/businesses", label: "Sage business list", attempts: attempt },
});

describe("retry rules for failures without a response", () => {
  it("does not retry DNS failures, TLS failures, or a refused connection to a host that never answered", () => {
    expect(whyNotRetried(failure("ENOTFOUND"), false)).toMatch(/does not resolve/);
    expect(whyNotRetried(failure("CERT_HAS_EXPIRED"), true)).toMatch(/TLS/);
    expect(whyNotRetried(failure("ERR_TLS_CERT_ALTNAME_INVALID"), true)).toMatch(/TLS/);
    expect(whyNotRetried(failure("ECONNREFUSED"), false)).toMatch(/nothing has answered/);
  });

  it("retries EAI_AGAIN, resets, timeouts, stalls, and a refused connection once the host has answered", () => {
    for (const f of [
      failure("EAI_AGAIN"),
      failure("ECONNRESET"),
      failure("UND_ERR_SOCKET"),
      failure(undefined),
      failure(undefined, { timedOut: "request" }),
      failure(undefined, { timedOut: "stall" }),
    ])
      expect(whyNotRetried(f, false), JSON.stringify(f.code ?? f.timedOut)).toBeUndefined();
    expect(whyNotRetried(failure("ECONNREFUSED"), true)).toBeUndefined();
  });

  it("names the request's own label and the caller's words for the base URL, and classifies the error", () => {
    const d = decideAfterFailure(failure("ENOTFOUND"), false, ctx());
    expect(d.action).toBe("fail");
    const err = (d as { error: ConnectionError }).error;
    expect(err.message).toMatch(/^Sage business list: GET https:\/\/api\.example\/v3\.1\/businesses failed/);
    expect(err.message).toContain("not retried: the host name does not resolve");
    expect(err.message).not.toContain("resource contacts");
    expect(err.hint).toContain("base_url in [sources.sage_accounting_source]");
    expect(err.hint).not.toContain("client.baseUrl");
    expect(err.kind).toBe("terminal");
    const refused = decideAfterFailure(failure("ECONNREFUSED"), false, ctx());
    expect((refused as { error: ConnectionError }).error.kind).toBe("transient");
    expect(decideAfterFailure(failure("ECONNRESET"), true, ctx(1)).action).toBe("retry");
    expect(decideAfterFailure(failure("ECONNRESET"), true, ctx(DEFAULT_RETRY_POLICY.requestMaxAttempts)).action).toBe("fail");
  });
});

/** A server for the timeout and format cases: each path misbehaves in one way. */
let server: Server;
let base: string;
const sockets = new Set<Socket>();
let hits = new Map<string, number>();
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "";
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    const json = (body: unknown) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (path === "/stall-body") {
      // First attempt: half a body, then silence; later attempts answer.
      if (n > 1) {
        json({ ok: n });
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"ok":');
      return;
    }
    if (path === "/stall-headers") {
      if (n > 1) {
        json({ ok: n });
        return;
      }
      return; // never answers
    }
    if (path === "/html-then-json") {
      if (n > 2) {
        json({ ok: n });
        return;
      }
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>login</html>");
      return;
    }
    if (path === "/cut-json") {
      if (n > 1) {
        json({ items: [1, 2, 3] });
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"items":[1,2');
      return;
    }
    if (path === "/always-html") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>login</html>");
      return;
    }
    json({ ok: true });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) =>
    server.close(() => {
      r();
    }),
  );
});

const fast = { requestBackoffFactor: 0.01, requestMaxAttempts: 4, requestMaxRetryDelay: 2, requestTimeout: 30 };

describe("timeouts and format errors", () => {
  it("a body that stalls mid-stream is abandoned at the stall timeout and retried", async () => {
    hits = new Map();
    const events: RequestEvent[] = [];
    const c = new HttpClient({ retry: { ...fast, requestStallTimeout: 0.3 }, onEvent: (e) => events.push(e) });
    const res = await c.request({ url: `${base}/stall-body` });
    expect(res.json()).toEqual({ ok: 2 });
    const retry = events.find((e) => e.type === "retry");
    expect(retry?.type === "retry" && retry.reason).toMatch(/stalled: nothing received for 300 ms/);
  });

  it("a server that never sends headers is abandoned at the stall timeout and retried", async () => {
    hits = new Map();
    const c = new HttpClient({ retry: { ...fast, requestStallTimeout: 0.3 } });
    expect((await c.request({ url: `${base}/stall-headers` })).json()).toEqual({ ok: 2 });
  });

  it("a 200 with HTML or a cut JSON body is a format error, retried with backoff", async () => {
    hits = new Map();
    const c = new HttpClient({ retry: fast });
    expect((await c.request({ url: `${base}/html-then-json` })).json()).toEqual({ ok: 3 });
    expect((await c.request({ url: `${base}/cut-json` })).json()).toEqual({ items: [1, 2, 3] });
    const err = await c.request({ url: `${base}/always-html`, label: "resource contacts" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseFormatError);
    expect((err as ResponseFormatError).message).toMatch(/^resource contacts: GET .* not JSON \(text\/html.*after 4 attempts/);
    expect((err as ResponseFormatError).kind).toBe("transient");
    expect(hits.get("/always-html")).toBe(4);
  });

  it("a refused connection to a host that never answered fails at once; one that answered before is retried", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) =>
      probe.close(() => {
        r();
      }),
    );
    const events: RequestEvent[] = [];
    const c = new HttpClient({ retry: fast, onEvent: (e) => events.push(e) });
    const err = await c.request({ url: `http://127.0.0.1:${port}/x` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toContain("not retried");
    expect(events.filter((e) => e.type === "request")).toHaveLength(1);
  });
});
