import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { api, type Envelope, type Rec } from "./helpers.js";

let sb: Sandbox;
let token: string;

beforeAll(async () => {
  sb = await startSandbox({ scale: 0.02, maxConcurrent: 3, latencyMs: 150 });
  token = sb.issueTokens().access_token;
  await api(sb, "/contacts", { token });
});
afterAll(() => sb.close());

describe("sandbox limits and faults", () => {
  it("answers 429 with Retry-After beyond the concurrency limit, and records the peak", async () => {
    // A long latency keeps the first three in flight while the other five arrive, even on a busy machine.
    const slow = await startSandbox({ scale: 0.02, maxConcurrent: 3, latencyMs: 2000 });
    const slowToken = slow.issueTokens().access_token;
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => api<Rec[] | Envelope>(slow, "/contacts", { token: slowToken })),
    ).finally(() => slow.close());
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    const limited = results.find((r) => r.status === 429)!;
    expect(limited.headers.get("retry-after")).toBe("1");
    expect((limited.body as Rec[])[0]).toMatchObject({ $dataCode: "TooManyRequests" });
    expect(slow.stats.maxConcurrency).toBeGreaterThan(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1990);
    expect(slow.requestCount({ path: "/v3.1/contacts", status: 429 })).toBe(5);
  });

  it("follows an explicit fault schedule: the next 3 requests to /contacts get 503", async () => {
    expect(sb.setFaults({ rules: [{ path: "/contacts", fault: 503, times: 3, retryAfterSeconds: 2 }] })).toBe(3);
    const other = await api(sb, "/products", { token });
    expect(other.status).toBe(200);
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await api<Rec[]>(sb, "/contacts", { token });
      seen.push(res.status);
      if (res.status === 503) {
        expect(res.headers.get("retry-after")).toBe("2");
        expect(res.body[0]).toMatchObject({ $dataCode: "ServiceUnavailable" });
      }
    }
    expect(seen).toEqual([503, 503, 503, 200]);
    expect(sb.stats.faultsInjected).toBeGreaterThanOrEqual(3);
  });

  it("drops the connection mid-response", async () => {
    sb.setFaults({ rules: [{ path: "/sales_invoices", fault: "drop" }] });
    await expect(
      fetch(`${sb.apiBaseUrl}/sales_invoices`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.text()),
    ).rejects.toThrow();
    const after = await api<Envelope>(sb, "/sales_invoices", { token });
    expect(after.status).toBe(200);
    expect(sb.requestCount({ path: "/v3.1/sales_invoices", status: 0 })).toBe(1);
  });

  it("injects seeded random faults at the configured rate", async () => {
    const noisy = await startSandbox({ scale: 0.02, faultRate: 0.5, seed: 3 });
    const t = noisy.issueTokens().access_token;
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      try {
        statuses.push((await api(noisy, "/tax_rates", { token: t })).status);
      } catch {
        statuses.push(0);
      }
    }
    await noisy.close();
    const faults = statuses.filter((s) => s !== 200);
    expect(faults.length).toBeGreaterThan(8);
    expect(faults.length).toBeLessThan(32);
    expect(new Set(faults).size).toBeGreaterThanOrEqual(2);
    expect(faults.every((s) => s === 429 || s === 503 || s === 0)).toBe(true);
  });
});
