import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { api, type Envelope, type Rec } from "./helpers.js";

let sb: Sandbox;
let token: string;
let ids: string[];

beforeAll(async () => {
  sb = await startSandbox({
    scale: 0.02,
    businesses: 3,
    businessProfiles: [{}, { deniedAreas: ["Bank"] }, { country: "us", tier: "start", subscriptionActive: false }],
  });
  token = sb.issueTokens().access_token;
  ids = sb.store.businesses.map((b) => b.id);
});
afterAll(() => sb.close());

describe("sandbox access rules", () => {
  it("uses the lead business without X-Business and echoes the business used", async () => {
    const implicit = await api<Envelope>(sb, "/contacts", { token });
    expect(implicit.headers.get("x-business")).toBe(ids[0]);
    const explicit = await api<Envelope>(sb, "/contacts", { token, business: ids[1]! });
    expect(explicit.headers.get("x-business")).toBe(ids[1]);
    expect(explicit.body.$total).toBe(sb.store.count(1, "contacts"));
    expect(explicit.body.$items[0]!.id).not.toBe(implicit.body.$items[0]!.id);
  });

  it("answers 403 on every endpoint of an area the user has no role in", async () => {
    for (const path of ["/bank_accounts", "/bank_transfers", "/contact_payments", "/other_payments"]) {
      const res = await api<Rec[]>(sb, path, { token, business: ids[1]! });
      expect(res.status).toBe(403);
      expect(res.body).toEqual([
        { $severity: "error", $dataCode: "AccessDenied", $message: expect.stringContaining("Bank"), $source: "" },
      ]);
      expect(res.headers.get("x-business")).toBe(ids[1]);
    }
    // Endpoints open to any of several areas stay readable when only one is missing.
    expect((await api(sb, "/ledger_accounts", { token, business: ids[1]! })).status).toBe(200);
    expect((await api(sb, "/tax_rates", { token, business: ids[1]! })).status).toBe(200);
    expect((await api(sb, "/bank_accounts", { token, business: ids[0]! })).status).toBe(200);
  });

  it("answers 404 where the country or the subscription tier lacks the endpoint", async () => {
    const ie = await api<Rec[]>(sb, "/stock_items", { token, business: ids[1]! });
    expect(ie.status).toBe(404);
    expect(ie.body[0]).toMatchObject({ $dataCode: "RecordNotFound" });
    expect((await api(sb, "/stock_items", { token, business: ids[0]! })).status).toBe(200);
    expect((await api(sb, "/cis_settings", { token, business: ids[0]! })).status).toBe(200);
    expect((await api(sb, "/cis_settings", { token, business: ids[1]! })).status).toBe(404);
    expect((await api(sb, "/journal_codes", { token })).status).toBe(404);
    expect((await api(sb, "/not_a_resource", { token })).status).toBe(404);
    expect(sb.store.isAvailable(1, "stock_items")).toBe(false);
    expect(sb.store.records(1, "stock_items")).toEqual([]);
  });

  it("answers 401 'No active subscription. (MSE)' for a lapsed business, even with a fresh token", async () => {
    const res = await api<Rec[]>(sb, "/contacts", { token: sb.issueTokens().access_token, business: ids[2]! });
    expect(res.status).toBe(401);
    expect(res.body).toEqual([
      { $severity: "error", $dataCode: "AuthorizationFailure", $message: "No active subscription. (MSE)", $source: "" },
    ]);
    const business = await api<Rec>(sb, `/businesses/${ids[2]!}`, { token });
    expect(business.body).toMatchObject({ country: { id: "US" }, subscriptions: [{ id: "START", active: false }] });
  });

  it("answers 403 for a business the user cannot access, and 405 for writes", async () => {
    const res = await api<Rec[]>(sb, "/contacts", { token, business: "ffffffffffffffffffffffffffffffff" });
    expect(res.status).toBe(403);
    expect(res.headers.get("x-business")).toBeNull();
    const post = await fetch(`${sb.apiBaseUrl}/contacts`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: "{}",
    });
    expect(post.status).toBe(405);
  });

  it("counts requests by path, business and status", async () => {
    sb.resetStats();
    await api(sb, "/contacts", { token, business: ids[1]! });
    await api(sb, "/bank_accounts", { token, business: ids[1]! });
    await api(sb, "/bank_accounts", { token, business: ids[1]! });
    expect(sb.requestCount({ path: "/v3.1/bank_accounts", business: ids[1]!, status: 403 })).toBe(2);
    expect(sb.requestCount({ path: "/v3.1/contacts", status: 200 })).toBe(1);
    expect(sb.stats.totalRequests).toBe(3);
  });
});
