import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sageView } from "../../src/dashboard/api/sage-view.js";
import { type Dashboard, startDashboard } from "../../src/dashboard/index.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { FIELD_DOCS } from "../../src/sage/catalog/field-docs.generated.js";
import { findEndpoint, sageAccountingSource } from "../../src/sage/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

/**
 * "Sage at a glance" against the sandbox's own request log: a business without the Bank role
 * (403 on bank endpoints), one without a subscription (401 "no active subscription"), and two
 * 429s on /contacts. Each run's trace counts what it sent, per resource, and lists the skips.
 */
const dir = tempDir("sp-dash-sage-");
const RESOURCES = ["contacts", "bank_accounts", "ledger_accounts"];

describe("Sage at a glance: requests, 429s, retries and skips per run and resource", () => {
  let sb: Sandbox;
  let p: Pipeline;
  let dash: Dashboard;
  const sent: Array<Map<string, number>> = [];
  /** What beforeAll started, stopped newest first (whatever got started before a failure). */
  const stops: Array<() => Promise<void>> = [];

  /** Requests the sandbox saw since its last reset, per path (every status, 0: dropped). */
  const sandboxCounts = () => {
    const m = new Map<string, number>();
    for (const r of sb.stats.requests) m.set(r.path, (m.get(r.path) ?? 0) + r.count);
    return m;
  };

  beforeAll(async () => {
    sb = await startSandbox({
      port: 0,
      businesses: 3,
      scale: 0.02,
      seed: 11,
      businessProfiles: [
        { name: "Full Access Ltd", country: "gb", tier: "plus" },
        { name: "No Bank Role Ltd", country: "gb", tier: "plus", deniedAreas: ["Bank"] },
        { name: "Lapsed Trial Ltd", country: "gb", tier: "plus", subscriptionActive: false },
      ],
    });
    stops.push(() => sb.close());
    const info = sb.info();
    const src = sageAccountingSource(
      {
        baseUrl: sb.apiBaseUrl,
        tokenUrl: sb.tokenUrl,
        clientId: info.clientId,
        clientSecret: sb.options.clientSecret,
        refreshToken: sb.issueTokens("readonly").refresh_token,
        tokenStore: join(dir, "tokens.json"),
        resources: RESOURCES,
        itemsPerPage: 20,
      },
      emptyConfig(),
    );
    p = new Pipeline({
      pipelineName: "glance",
      datasetName: "glance",
      destination: duckdb({ credentials: join(dir, "glance-db.duckdb") }),
      pipelinesDir: join(dir, "pipelines"),
      config: emptyConfig(),
    });
    sb.resetStats();
    sb.setFaults({ rules: [{ path: "/contacts", fault: 429, times: 2, retryAfterSeconds: 0 }] });
    await p.run(src);
    sent.push(sandboxCounts());
    sb.resetStats();
    await p.run(src);
    sent.push(sandboxCounts());
    dash = await startDashboard({ pipelinesDir: join(dir, "pipelines"), config: emptyConfig(), port: 0 });
    stops.push(() => dash.close());
  }, 120_000);
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it("counts each run's requests as the API saw them, per resource, with the 429s and their retries", () => {
    const v = sageView(p.workingDir);
    expect(v.runs).toHaveLength(2);
    for (const [i, run] of v.runs.entries()) {
      const total = [...sent[i]!.values()].reduce((a, b) => a + b, 0);
      expect(run.requests, `run ${i + 1}`).toBe(total);
      expect(run.status).toBe("succeeded");
    }
    expect(v.runs[0]!.throttled).toBe(2);
    expect(v.runs[0]!.retries).toBe(2);
    expect(v.runs[1]!.throttled).toBe(0);
    // Per resource, the last extract: each endpoint's requests are the sandbox's for its path.
    const last = v.lastExtract!;
    const byName = new Map(last.resources.map((r) => [r.name, r]));
    for (const name of RESOURCES) {
      expect(byName.get(name)?.requests, name).toBe(sent[1]!.get(`/v3.1/${name}`) ?? 0);
      expect(byName.get(name)?.shared).toBe(false);
    }
    // The business list is shared work, not charged to whichever resource asked first.
    expect(byName.get("Sage business list")?.shared).toBe(true);
    expect(byName.get("Sage business list")?.requests).toBe(sent[1]!.get("/v3.1/businesses"));
    expect(v.totals.requests).toBe(v.runs[0]!.requests! + v.runs[1]!.requests!);
  });

  it("lists what Sage left out and why: 403 for the Bank area, 401 for the lapsed business", () => {
    const [, noBank, lapsed] = sb.store.businesses;
    const skipped = sageView(p.workingDir).lastExtract!.skipped;
    const of = (id: string) =>
      skipped
        .filter((s) => s.partition?.business_id === id)
        .map((s) => `${s.resource} ${s.status}`)
        .sort();
    expect(of(noBank!.id)).toEqual(["bank_accounts 403"]);
    expect(of(lapsed!.id)).toEqual(RESOURCES.map((r) => `${r} 401`).sort());
    expect(skipped.find((s) => s.status === 403)?.reason).toMatch(/no role in Bank \(403\)/);
    expect(skipped.find((s) => s.status === 401)?.label).toContain("Lapsed Trial Ltd");
    expect(skipped).toHaveLength(1 + RESOURCES.length);
  });

  it("the schema explorer carries the Sage spec's descriptions of the loaded tables and columns", async () => {
    const res = await fetch(`${dash.url}/api/pipelines/glance/schema`);
    const body = (await res.json()) as {
      schemas: Array<{
        name: string;
        tables: Array<{ name: string; description: string | null; columns: Record<string, { description: string | null }> }>;
      }>;
    };
    const tables = new Map(body.schemas.flatMap((s) => s.tables).map((t) => [t.name, t]));
    const contacts = tables.get("contacts")!;
    expect(contacts.description).toBe(findEndpoint("contacts")!.summary);
    expect(contacts.columns.displayed_as?.description).toBe(FIELD_DOCS.Contact!.displayed_as![0]);
    expect(contacts.columns.created_at?.description).toBe("The datetime when the item was created");
    // Columns the engine or the source adds have none: they are not Sage fields.
    expect(contacts.columns._dlt_id?.description).toBeNull();
    expect(contacts.columns.business_id?.description).toBeNull();
    const described = Object.values(contacts.columns).filter((c) => c.description).length;
    expect(described).toBeGreaterThan(Object.keys(contacts.columns).length / 2);
  });

  it("serves the same through GET /api/pipelines/<name>/sage", async () => {
    const res = await fetch(`${dash.url}/api/pipelines/glance/sage`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ReturnType<typeof sageView>;
    expect(body).toEqual(JSON.parse(JSON.stringify(sageView(p.workingDir))));
  });
});
