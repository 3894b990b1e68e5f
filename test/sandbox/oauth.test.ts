import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { api, type Rec } from "./helpers.js";

let sb: Sandbox;
const REDIRECT = "http://127.0.0.1:9/callback?app=demo";

beforeAll(async () => {
  sb = await startSandbox({
    scale: 0.02,
    accessTokenTtlSeconds: 1,
    authorizationCodeTtlSeconds: 1,
    clientId: "cid",
    clientSecret: "s3cret-value",
    redirectUris: [REDIRECT],
  });
});
afterAll(() => sb.close());

async function authorize(params: Record<string, string>): Promise<Response> {
  const url = new URL(sb.authorizeUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return fetch(url, { redirect: "manual" });
}

async function token(form: Record<string, string>): Promise<{ status: number; body: Rec }> {
  const res = await fetch(sb.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Rec };
}

async function codeFor(state = "xyz"): Promise<string> {
  const res = await authorize({ client_id: "cid", response_type: "code", redirect_uri: REDIRECT, scope: "full_access", state });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location")!);
  expect(`${location.origin}${location.pathname}`).toBe("http://127.0.0.1:9/callback");
  expect(location.searchParams.get("app")).toBe("demo");
  expect(location.searchParams.get("state")).toBe(state);
  expect(location.searchParams.get("country")).toBe("gb");
  return location.searchParams.get("code")!;
}

describe("sandbox OAuth", () => {
  it("redirects with a region-prefixed code and refuses bad authorize requests", async () => {
    const code = await codeFor();
    expect(code).toMatch(/^GB\//);
    expect((await authorize({ client_id: "other", response_type: "code", redirect_uri: REDIRECT })).status).toBe(400);
    expect((await authorize({ client_id: "cid", response_type: "token", redirect_uri: REDIRECT })).status).toBe(400);
    expect((await authorize({ client_id: "cid", response_type: "code", redirect_uri: "http://evil.example/cb" })).status).toBe(
      400,
    );
    expect((await authorize({ client_id: "cid", response_type: "code" })).status).toBe(400);
  });

  it("exchanges a code once, for Sage's token response", async () => {
    const code = await codeFor();
    const form = {
      client_id: "cid",
      client_secret: "s3cret-value",
      code,
      grant_type: "authorization_code",
      redirect_uri: REDIRECT,
    };
    const first = await token(form);
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual([
      "access_token",
      "expires_in",
      "refresh_token",
      "refresh_token_expires_in",
      "requested_by_id",
      "scope",
      "token_type",
    ]);
    expect(first.body).toMatchObject({
      token_type: "bearer",
      expires_in: 1,
      refresh_token_expires_in: 2678400,
      scope: "full_access",
    });
    const again = await token(form);
    expect(again).toEqual({
      status: 400,
      body: { error: "invalid_grant", error_description: expect.stringContaining("already been used") },
    });
    const users = await api<Rec>(sb, "/user", { token: first.body.access_token as string });
    expect(users.status).toBe(200);
  });

  it("checks the client, the redirect_uri and the code's 60-second life (here 1 s)", async () => {
    const wrongSecret = await token({
      client_id: "cid",
      client_secret: "nope",
      code: await codeFor(),
      grant_type: "authorization_code",
      redirect_uri: REDIRECT,
    });
    expect(wrongSecret).toMatchObject({ status: 400, body: { error: "invalid_client" } });
    const mismatch = await token({
      client_id: "cid",
      client_secret: "s3cret-value",
      code: await codeFor(),
      grant_type: "authorization_code",
      redirect_uri: "http://127.0.0.1:9/other",
    });
    expect(mismatch).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const late = await codeFor();
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await token({
      client_id: "cid",
      client_secret: "s3cret-value",
      code: late,
      grant_type: "authorization_code",
      redirect_uri: REDIRECT,
    });
    expect(expired).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: expect.stringContaining("expired") },
    });
    const grant = await token({ client_id: "cid", client_secret: "s3cret-value", grant_type: "password" });
    expect(grant).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("rotates refresh tokens; reusing one is invalid_grant; access tokens expire", async () => {
    const issued = sb.issueTokens();
    const refresh = (rt: string) =>
      token({ client_id: "cid", client_secret: "s3cret-value", grant_type: "refresh_token", refresh_token: rt });
    const r1 = await refresh(issued.refresh_token);
    expect(r1.status).toBe(200);
    expect(r1.body.refresh_token).not.toBe(issued.refresh_token);
    const reuse = await refresh(issued.refresh_token);
    expect(reuse).toEqual({
      status: 400,
      body: { error: "invalid_grant", error_description: expect.stringContaining("already been used") },
    });
    const r2 = await refresh(r1.body.refresh_token as string);
    expect(r2.status).toBe(200);
    const live = await api<Rec[]>(sb, "/contacts", { token: r2.body.access_token as string });
    expect(live.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const stale = await api<Rec[]>(sb, "/contacts", { token: r2.body.access_token as string });
    expect(stale.status).toBe(401);
    expect(stale.body[0]).toMatchObject({ $severity: "error", $dataCode: "AuthorizationFailure", $source: "" });
    const none = await api<Rec[]>(sb, "/contacts", { token: null });
    expect(none.status).toBe(401);
    expect(sb.stats.tokensRefreshed).toBe(2);
  });

  it("expires every access token on demand (refresh tokens survive)", async () => {
    const t = sb.issueTokens();
    sb.expireAccessTokens();
    expect((await api(sb, "/user", { token: t.access_token })).status).toBe(401);
    const r = await token({
      client_id: "cid",
      client_secret: "s3cret-value",
      grant_type: "refresh_token",
      refresh_token: t.refresh_token,
    });
    expect(r.status).toBe(200);
  });
});
