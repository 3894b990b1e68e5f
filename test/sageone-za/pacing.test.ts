import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onRequestEvent, type RequestEvent } from "../../src/http/index.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { sageOneZaSource } from "../../src/sageone-za/index.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir("sp-sa-pace-");
let sb: Sandbox;

beforeAll(async () => {
  // Sage's real limit: 100 a minute per company, then the IP is blocked.
  sb = await startSandbox({ port: 0, scale: 0.05, saRequestsPerMinute: 100 });
});
afterAll(() => sb.close());

describe("Sage One SA pacing", () => {
  it("by default sends at most one request a second per company, companies side by side", async () => {
    const starts = new Map<string, number[]>();
    const off = onRequestEvent((e: RequestEvent) => {
      if (e.type !== "request") return;
      const company = new URL(e.url).searchParams.get("CompanyId") ?? "account";
      starts.set(company, [...(starts.get(company) ?? []), e.startedAt]);
    });
    const o = sb.options;
    const began = Date.now();
    try {
      // No pacing options: the defaults apply. Three single-page lists per company.
      const src = sageOneZaSource(
        {
          baseUrl: sb.saBaseUrl,
          apiKey: o.saApiKey,
          username: o.saUsername,
          password: o.saPassword,
          resources: ["tax_types", "accounts", "bank_accounts"],
        },
        emptyConfig(),
      );
      await duckPipeline(dir).run(src);
    } finally {
      off();
    }
    const elapsed = Date.now() - began;
    const companies = sb.store.saCompanies.map((c) => String(c.id));
    expect([...starts.keys()].sort()).toEqual(["account", ...companies].sort());
    for (const company of companies) {
      const times = starts.get(company)!.sort((a, b) => a - b);
      expect(times).toHaveLength(3);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `company ${company}`).toBeGreaterThanOrEqual(1000);
    }
    // Side by side: both companies start together, so 2 × 3 requests span about 2 s, not 5.
    const firsts = companies.map((c) => starts.get(c)![0]!);
    const lasts = companies.map((c) => starts.get(c)!.at(-1)!);
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeLessThan(500);
    expect(Math.max(...lasts) - Math.min(...firsts)).toBeLessThan(3000);
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(sb.stats.saBlocked).toBe(0);
  });
});
