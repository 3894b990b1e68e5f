import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type MutationResult, type Sandbox, type SandboxStatsSnapshot } from "../../src/sandbox/index.js";
import { addLogSink, getLogLevel, setLogLevel, setStderrLogging, type LogRecord } from "../../src/util/logger.js";
import { api, type Envelope, type Rec } from "./helpers.js";

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({
    scale: 0.02,
    logRequests: true,
    clientSecret: "top-secret-client-value",
    saPassword: "sa-password-value",
  });
});
afterAll(() => sb.close());

async function admin<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sb.url}/__sandbox${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

describe("sandbox admin endpoints", () => {
  it("describes the sandbox without its secrets", async () => {
    const info = await admin<Rec>("GET", "/info");
    expect(info.body).toMatchObject({
      url: sb.url,
      apiBaseUrl: `${sb.url}/v3.1`,
      tokenUrl: sb.tokenUrl,
      saBaseUrl: `${sb.url}/api/2.0.0`,
      clientId: "sandbox-client-id",
    });
    expect(JSON.stringify(info.body)).not.toContain("top-secret-client-value");
    expect(JSON.stringify(info.body)).not.toContain("sa-password-value");
    expect((info.body.businesses as Rec[]).map((b) => b.id)).toEqual(sb.store.businesses.map((b) => b.id));
  });

  it("issues tokens, mutates, reports stats and serves the store", async () => {
    const tokens = await admin<Rec>("POST", "/tokens");
    const token = tokens.body.access_token as string;
    expect((await api(sb, "/contacts", { token })).status).toBe(200);
    const change = await admin<MutationResult>("POST", "/mutate", { resource: "contacts", updates: 2, creates: 1 });
    expect(change.body.updated).toHaveLength(2);
    expect(change.body.created).toHaveLength(1);
    const since = await api<Envelope>(sb, `/contacts?updated_or_created_since=${encodeURIComponent(change.body.at)}`, { token });
    expect(since.body.$total).toBe(3);
    const stats = await admin<SandboxStatsSnapshot>("GET", "/stats");
    expect(stats.body.requests).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "/v3.1/contacts", status: 200, count: 2 })]),
    );
    expect(stats.body.tokensIssued).toBeGreaterThanOrEqual(1);
    const records = await admin<Rec[]>("GET", `/store/0/contacts`);
    expect(records.body).toEqual(sb.store.records(0, "contacts"));
    const settings = await admin<Rec>("GET", `/store/${sb.store.businesses[1]!.id}/financial_settings`);
    expect(settings.body).toMatchObject({ base_currency: { id: "EUR" } });
    const reset = await admin<SandboxStatsSnapshot>("POST", "/stats/reset");
    expect(reset.body.totalRequests).toBe(0);
    expect((await admin<Rec>("POST", "/mutate", { resource: "nonsense" })).status).toBe(400);
  });

  it("schedules faults and expires tokens for a sandbox in another process", async () => {
    const token = sb.issueTokens().access_token;
    const set = await admin<Rec>("POST", "/faults", { rules: [{ path: "/tax_rates", fault: 429, times: 2 }] });
    expect(set.body).toEqual({ pending: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api(sb, "/tax_rates", { token })).status);
    expect(statuses).toEqual([429, 429, 200]);
    await admin("POST", "/tokens/expire");
    expect((await api(sb, "/tax_rates", { token })).status).toBe(401);
  });

  it("never logs tokens, client secrets, SA passwords or API keys", async () => {
    const lines: LogRecord[] = [];
    const level = getLogLevel();
    setLogLevel("info");
    setStderrLogging(false);
    const remove = addLogSink((r) => lines.push(r));
    try {
      const t = sb.issueTokens();
      await api(sb, "/contacts?items_per_page=1", { token: t.access_token });
      await fetch(sb.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: t.refresh_token,
          client_id: "sandbox-client-id",
          client_secret: "top-secret-client-value",
        }).toString(),
      });
      const key = sb.options.saApiKey;
      await fetch(`${sb.saBaseUrl}/Company/Get?apikey=${encodeURIComponent(key)}`, {
        headers: { authorization: `Basic ${Buffer.from(`${sb.options.saUsername}:sa-password-value`).toString("base64")}` },
      });
      const text = lines.map((l) => l.message).join("\n");
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(text).toContain("/v3.1/contacts");
      for (const secret of [
        t.access_token,
        t.refresh_token,
        "top-secret-client-value",
        "sa-password-value",
        key,
        encodeURIComponent(key),
      ]) {
        expect(text).not.toContain(secret);
      }
    } finally {
      remove();
      setLogLevel(level);
      setStderrLogging(true);
    }
  });
});
