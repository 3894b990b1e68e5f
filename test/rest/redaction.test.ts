import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpClient, onRequestEvent, type RequestEvent } from "../../src/http/index.js";
import { createAuth, restApiSource, type RESTAPIConfig } from "../../src/rest/index.js";
import { addLogSink, getLogLevel, setLogLevel } from "../../src/util/logger.js";
import { FixtureServer } from "../fixtures/http-server.js";
import { runResource } from "../helpers/run-resource.js";
import { build, EMPTY_RESOLVER, FAST_RETRY } from "./helpers.js";

/** Secrets that must never show up in any output. The last two are never configured: one is only sent
 * as an `access_token` query param, the other is an access token minted by the token endpoint. */
const CANARY = {
  bearer: "canary-bearer-7f3a9c",
  apiKey: "canary-apikey-51d2e8",
  password: "canary-password-0b6f44",
  clientSecret: "canary-client-secret-93ce1",
  refreshToken: "canary-refresh-token-aa17",
  queryOnly: "canary-query-only-6e02d",
  minted: "canary-minted-access-8d4b",
};
const needles = [...Object.values(CANARY), Buffer.from(`me:${CANARY.password}`).toString("base64")];

let server: FixtureServer;
const captured: string[] = [];
const keep = (x: unknown) => captured.push(typeof x === "string" ? x : `${JSON.stringify(x)}\n${inspect(x, { depth: 8 })}`);
const keepError = (e: unknown) => {
  const err = e as Error & { hint?: string };
  captured.push(String(err), err.message, err.stack ?? "", err.hint ?? "", JSON.stringify(err), inspect(err, { depth: 8 }));
};
let removeSink: () => void;
let removeListener: () => void;
let previousLevel: ReturnType<typeof getLogLevel>;

beforeAll(async () => {
  previousLevel = getLogLevel();
  setLogLevel("debug");
  removeSink = addLogSink((r) => keep(r.message));
  removeListener = onRequestEvent((e: RequestEvent) => keep(e));
  server = await FixtureServer.start();
  // Hostile endpoints: they echo every credential they get back into their error bodies.
  const echo = (status: number) => (req: { headers: Record<string, unknown>; url: string; body: string }) => ({
    status,
    body: {
      error: "denied",
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
      url: req.url,
      body: req.body,
      note: `rejected ${String(req.headers.authorization)} at ${req.url}`,
    },
  });
  server.route("GET", "/deny", echo(401));
  server.route("GET", "/broken", echo(500));
  server.route("POST", "/deny-post", echo(403));
  server.route("POST", "/oauth/token", (req) => {
    const form = new URLSearchParams(req.body);
    if (form.get("client_secret") !== CANARY.clientSecret)
      return { status: 400, body: { error: "invalid_client", error_description: `bad secret ${form.get("client_secret")}` } };
    if (form.get("refresh_token") === "used")
      return { status: 400, body: { error: "invalid_grant", error_description: `refresh token ${req.body} already used` } };
    return { body: { access_token: CANARY.minted, refresh_token: CANARY.refreshToken, expires_in: 300 } };
  });
  server.route("GET", "/me", (req) => ({
    status: 418,
    body: { seen: req.headers.authorization, message: `your token is ${String(req.headers.authorization)}` },
  }));
});

afterAll(async () => {
  removeSink();
  removeListener();
  setLogLevel(previousLevel);
  await server.close();
});

describe("secrets never leak", () => {
  it("api key in the query, bearer token, basic password: logs at debug level, errors, events", async () => {
    const cases: RESTAPIConfig["client"]["auth"][] = [
      { type: "api_key", name: "apikey", apiKey: CANARY.apiKey, location: "query" },
      { type: "api_key", name: "X-Custom-Key", apiKey: CANARY.apiKey },
      { type: "api_key", name: "sid", apiKey: CANARY.apiKey, location: "cookie" },
      { type: "bearer", token: CANARY.bearer },
      { type: "http_basic", username: "me", password: CANARY.password },
    ];
    for (const auth of cases) {
      for (const path of ["deny", "broken"]) {
        const [r] = build({
          client: { baseUrl: server.url, auth },
          resources: [{ name: "r", endpoint: { path, paginator: "single_page" } }],
        });
        keepError(await runResource(r!).catch((e: unknown) => e));
      }
    }
  });

  it("secrets in params and JSON bodies that were never registered are masked by name", async () => {
    const [r] = build({
      client: { baseUrl: server.url },
      resources: [
        {
          name: "r",
          endpoint: {
            path: "deny-post",
            method: "POST",
            params: { access_token: CANARY.queryOnly },
            json: { password: CANARY.queryOnly, query: "x" },
            paginator: "single_page",
          },
        },
      ],
    });
    keepError(await runResource(r!).catch((e: unknown) => e));
  });

  it("OAuth: client secret, refresh token and the minted access token", async () => {
    const tokens: unknown[] = [];
    const auth = createAuth(
      {
        type: "oauth2_refresh_token",
        accessTokenUrl: `${server.url}/oauth/token`,
        clientId: "cid",
        clientSecret: CANARY.clientSecret,
        refreshToken: "rt-start",
        onTokens: (t) => void tokens.push(t),
      },
      "auth",
      undefined,
      [],
    );
    const c = new HttpClient({ retry: FAST_RETRY });
    keepError(await c.request({ url: `${server.url}/me`, auth }).catch((e: unknown) => e));
    keep(tokens);
    const used = createAuth(
      {
        type: "oauth2_refresh_token",
        accessTokenUrl: `${server.url}/oauth/token`,
        clientId: "cid",
        clientSecret: CANARY.clientSecret,
        refreshToken: "used",
      },
      "auth",
      undefined,
      [],
    );
    keepError(await c.request({ url: `${server.url}/me`, auth: used }).catch((e: unknown) => e));
    const badClient = createAuth(
      {
        type: "oauth2_client_credentials",
        accessTokenUrl: `${server.url}/oauth/token`,
        clientId: "cid",
        clientSecret: "wrong-secret-value",
      },
      "auth",
      undefined,
      [],
    );
    keepError(await c.request({ url: `${server.url}/me`, auth: badClient }).catch((e: unknown) => e));
  });

  it("config errors do not print auth values", () => {
    try {
      restApiSource(
        {
          client: { baseUrl: server.url, auth: { type: "bearer", token: CANARY.bearer, tokne: CANARY.bearer } as never },
          resources: ["a"],
        },
        { resolver: EMPTY_RESOLVER },
      );
    } catch (e) {
      keepError(e);
    }
  });

  it("the canaries appear nowhere in everything captured", () => {
    const all = captured.join("\n");
    // The capture is real: requests, errors and debug lines were recorded.
    expect(all).toContain("Bearer ***");
    expect(all).toContain("apikey=***");
    expect(all).toContain("access_token=***");
    expect(all).toContain('"authorization":"***"');
    expect(all).toMatch(/DEBUG|headers/);
    expect(captured.length).toBeGreaterThan(50);
    for (const needle of needles) expect(all.includes(needle), `leaked ${needle.slice(0, 14)}…`).toBe(false);
  });
});
