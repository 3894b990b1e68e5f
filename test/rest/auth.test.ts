import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigResolver } from "../../src/config/index.js";
import { AuthenticationError, HttpClient } from "../../src/http/index.js";
import { createAuth, type OAuthTokens } from "../../src/rest/index.js";
import { ConfigError } from "../../src/util/errors.js";
import { FixtureServer, type RecordedRequest } from "../fixtures/http-server.js";
import { runResource, runResources } from "../helpers/run-resource.js";
import { build, byName, FAST_RETRY } from "./helpers.js";

/** A tiny OAuth server: rotating refresh tokens, access tokens that can be revoked. */
class TokenServer {
  seq = 0;
  refreshToken = "rt-0";
  valid = new Set<string>(["static-at"]);
  tokenRequests: RecordedRequest[] = [];
  expiresIn: number | undefined = 300;
  rotate = true;
  rejectRefresh = false;
  timeline: string[] = [];

  install(server: FixtureServer): void {
    server.route("POST", "/oauth/token", async (req) => {
      this.tokenRequests.push(req);
      const form = new URLSearchParams(req.body);
      const basic = req.headers.authorization?.startsWith("Basic ")
        ? Buffer.from(req.headers.authorization.slice(6), "base64").toString()
        : undefined;
      const [id, secret] = basic ? basic.split(":").map(decodeURIComponent) : [form.get("client_id"), form.get("client_secret")];
      if (id !== "cid" || secret !== "csecret") return { status: 401, body: { error: "invalid_client" } };
      const grant = form.get("grant_type");
      if (grant === "refresh_token" && (this.rejectRefresh || form.get("refresh_token") !== this.refreshToken)) {
        return { status: 400, body: { error: "invalid_grant", error_description: "refresh token used or expired" } };
      }
      await new Promise((r) => setTimeout(r, 30)); // a slow token endpoint widens any race
      const access = `at-${++this.seq}`;
      this.valid.add(access);
      const body: Record<string, unknown> = {
        access_token: access,
        token_type: "bearer",
        ...(this.expiresIn !== undefined ? { expires_in: this.expiresIn } : {}),
      };
      if (grant === "refresh_token" && this.rotate) {
        this.refreshToken = `rt-${this.seq}`;
        body.refresh_token = this.refreshToken;
      }
      this.timeline.push(`token:${access}`);
      return { body };
    });
    server.route("GET", "/api/data", (req) => {
      const token = req.headers.authorization?.replace(/^Bearer /, "") ?? "";
      this.timeline.push(`api:${token}`);
      if (!this.valid.has(token)) return { status: 401, body: [{ $severity: "error", $message: `token ${token} is not valid` }] };
      return { body: { data: [{ id: 1, token }] } };
    });
  }
}

let server: FixtureServer;
let oauth: TokenServer;
beforeAll(async () => {
  server = await FixtureServer.start();
  server.route("GET", "/echo", (req) => ({
    body: [
      {
        id: 1,
        authorization: req.headers.authorization ?? null,
        cookie: req.headers.cookie ?? null,
        key: req.query.get("api_key"),
        custom: req.headers["x-api-key"] ?? null,
      },
    ],
  }));
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  oauth = new TokenServer();
  oauth.install(server);
});

const http = () => new HttpClient({ retry: FAST_RETRY });
const oauthBase = () => ({ accessTokenUrl: `${server.url}/oauth/token`, clientId: "cid", clientSecret: "csecret" });

async function echo(auth: unknown) {
  const [r] = build({
    client: { baseUrl: server.url, auth: auth as never },
    resources: [{ name: "echo", endpoint: { path: "echo", paginator: "single_page" } }],
  });
  return (await runResource(r!)).items[0] as Record<string, unknown>;
}

describe("simple auths", () => {
  it("bearer, also as dlt's { token } shorthand", async () => {
    expect((await echo({ type: "bearer", token: "tok-123" })).authorization).toBe("Bearer tok-123");
    expect((await echo({ token: "tok-456" })).authorization).toBe("Bearer tok-456");
  });

  it("api_key in a header, the query or a cookie", async () => {
    expect((await echo({ type: "api_key", name: "X-API-Key", apiKey: "k-1" })).custom).toBe("k-1");
    expect((await echo({ type: "api_key", apiKey: "k-2" })).authorization).toBe("k-2");
    expect((await echo({ type: "api_key", name: "api_key", apiKey: "k-3", location: "query" })).key).toBe("k-3");
    expect((await echo({ type: "api_key", name: "session", apiKey: "k 4", location: "cookie" })).cookie).toBe("session=k%204");
  });

  it("http_basic", async () => {
    expect((await echo({ type: "http_basic", username: "me@x.io", password: "pw-1" })).authorization).toBe(
      `Basic ${Buffer.from("me@x.io:pw-1").toString("base64")}`,
    );
  });

  it("reads missing fields from config like dlt (sources.<source>.token)", async () => {
    const resolver = ConfigResolver.fromCwd("/nonexistent", { SOURCES__REST_API__TOKEN: "from-env" });
    const auth = createAuth("bearer", "client.auth", resolver, ["sources", "rest_api"]);
    const res = await http().request({ url: `${server.url}/echo`, auth });
    expect((res.json() as Array<{ authorization: string }>)[0]?.authorization).toBe("Bearer from-env");
  });
});

describe("oauth2_client_credentials", () => {
  it("gets one token for many requests, and a new one just before expiry", async () => {
    oauth.expiresIn = 1; // the refresh margin becomes a fifth of the lifetime: 200 ms
    const auth = createAuth({ type: "oauth2_client_credentials", ...oauthBase() }, "auth", undefined, []);
    const c = http();
    for (let i = 0; i < 5; i++) await c.request({ url: `${server.url}/api/data`, auth });
    expect(oauth.tokenRequests).toHaveLength(1);
    expect(new URLSearchParams(oauth.tokenRequests[0]?.body).get("grant_type")).toBe("client_credentials");
    await new Promise((r) => setTimeout(r, 850));
    await c.request({ url: `${server.url}/api/data`, auth });
    expect(oauth.tokenRequests).toHaveLength(2);
  });

  it("can send the client credentials as HTTP Basic (client_secret_basic)", async () => {
    const auth = createAuth(
      { type: "oauth2_client_credentials", ...oauthBase(), clientAuthMethod: "client_secret_basic" },
      "auth",
      undefined,
      [],
    );
    await http().request({ url: `${server.url}/api/data`, auth });
    expect(new URLSearchParams(oauth.tokenRequests[0]?.body).get("client_secret")).toBeNull();
  });
});

describe("oauth2_refresh_token", () => {
  it("20 concurrent requests share exactly one refresh", async () => {
    const auth = createAuth({ type: "oauth2_refresh_token", ...oauthBase(), refreshToken: "rt-0" }, "auth", undefined, []);
    const c = http();
    const results = await Promise.all(Array.from({ length: 20 }, () => c.request({ url: `${server.url}/api/data`, auth })));
    expect(oauth.tokenRequests).toHaveLength(1);
    expect(results.every((r) => (r.json() as { data: Array<{ token: string }> }).data[0]?.token === "at-1")).toBe(true);
  });

  it("hands the rotated refresh token to onTokens and waits for it before using the new access token", async () => {
    const seen: OAuthTokens[] = [];
    const auth = createAuth(
      {
        type: "oauth2_refresh_token",
        ...oauthBase(),
        refreshToken: "rt-0",
        onTokens: async (t) => {
          oauth.timeline.push("onTokens:start");
          await new Promise((r) => setTimeout(r, 80));
          seen.push(t);
          oauth.timeline.push("onTokens:end");
        },
      },
      "auth",
      undefined,
      [],
    );
    const c = http();
    await Promise.all(Array.from({ length: 5 }, () => c.request({ url: `${server.url}/api/data`, auth })));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.rotated).toBe(true);
    expect(seen[0]?.refreshToken?.reveal()).toBe("rt-1");
    expect(String(seen[0]?.accessToken)).toBe("***");
    const tl = oauth.timeline;
    expect(tl.indexOf("onTokens:end")).toBeGreaterThan(tl.indexOf("onTokens:start"));
    expect(tl.findIndex((e) => e === "api:at-1")).toBeGreaterThan(tl.indexOf("onTokens:end"));
  });

  it("resources that share resourceDefaults auth share one token", async () => {
    const rs = build({
      client: { baseUrl: server.url },
      resourceDefaults: {
        endpoint: {
          auth: { type: "oauth2_refresh_token", ...oauthBase(), refreshToken: "rt-0" },
          paginator: "single_page",
          dataSelector: "data",
        },
      },
      resources: [
        { name: "a", endpoint: "api/data" },
        { name: "b", endpoint: "api/data" },
        { name: "c", endpoint: "api/data" },
      ],
    });
    const out = await runResources([byName(rs, "a"), byName(rs, "b"), byName(rs, "c")]);
    expect([...out.items.values()].flat()).toHaveLength(3);
    expect(oauth.tokenRequests).toHaveLength(1);
  });

  it("uses the rotated refresh token for the next refresh", async () => {
    const auth = createAuth(
      { type: "oauth2_refresh_token", ...oauthBase(), refreshToken: "rt-0", refreshMargin: 0 },
      "auth",
      undefined,
      [],
    );
    oauth.expiresIn = 0.2;
    const c = http();
    await c.request({ url: `${server.url}/api/data`, auth });
    await new Promise((r) => setTimeout(r, 250));
    await c.request({ url: `${server.url}/api/data`, auth });
    expect(oauth.tokenRequests.map((r) => new URLSearchParams(r.body).get("refresh_token"))).toEqual(["rt-0", "rt-1"]);
  });

  it("refreshes once after a 401 and retries, even when 20 requests hit the 401 together", async () => {
    const auth = createAuth(
      { type: "oauth2_refresh_token", ...oauthBase(), refreshToken: "rt-0", accessToken: "revoked-at" },
      "auth",
      undefined,
      [],
    );
    const c = http();
    const results = await Promise.all(Array.from({ length: 20 }, () => c.request({ url: `${server.url}/api/data`, auth })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(oauth.tokenRequests).toHaveLength(1);
  });

  it("refreshes before expiry when the stored access token is about to expire", async () => {
    const auth = createAuth(
      {
        type: "oauth2_refresh_token",
        ...oauthBase(),
        refreshToken: "rt-0",
        accessToken: "static-at",
        expiresAt: new Date(Date.now() + 30_000),
      },
      "auth",
      undefined,
      [],
    );
    await http().request({ url: `${server.url}/api/data`, auth });
    // 30 s left is inside the default 60 s margin.
    expect(oauth.tokenRequests).toHaveLength(1);
  });

  it("fails with AuthenticationError when the API still says 401 after one refresh", async () => {
    const auth = createAuth({ type: "oauth2_refresh_token", ...oauthBase(), refreshToken: "rt-0" }, "auth", undefined, []);
    oauth.valid.clear();
    const origAdd = oauth.valid.add.bind(oauth.valid);
    oauth.valid.add = () => oauth.valid; // tokens are issued but never accepted
    const err = await http()
      .request({ url: `${server.url}/api/data`, auth })
      .catch((e: unknown) => e);
    oauth.valid.add = origAdd;
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(oauth.tokenRequests).toHaveLength(2);
    expect((err as Error).message).toContain("is not valid");
  });

  it("explains a refused refresh token (invalid_grant)", async () => {
    oauth.rejectRefresh = true;
    const auth = createAuth({ type: "oauth2_refresh_token", ...oauthBase(), refreshToken: "rt-0" }, "auth", undefined, []);
    const err = await http()
      .request({ url: `${server.url}/api/data`, auth })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toContain("the token endpoint refused the refresh_token grant (invalid_grant)");
    expect((err as AuthenticationError).hint).toContain("re-authorize");
  });

  it("does not use new tokens that onTokens could not store", async () => {
    const auth = createAuth(
      {
        type: "oauth2_refresh_token",
        ...oauthBase(),
        refreshToken: "rt-0",
        onTokens: () => {
          throw new Error("disk full");
        },
      },
      "auth",
      undefined,
      [],
    );
    const err = await http()
      .request({ url: `${server.url}/api/data`, auth })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain("onTokens failed, so the new tokens were not used: disk full");
    expect(oauth.timeline.filter((t) => t.startsWith("api:"))).toHaveLength(0);
  });
});
