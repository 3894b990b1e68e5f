import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RunIncompleteError } from "../../src/pipeline/index.js";
import type { Pipeline } from "../../src/pipeline/index.js";
import { sageAccountingSource } from "../../src/sage/index.js";
import { captureLogs } from "../helpers/capture-logs.js";
import { type HostileSage, startHostileSage } from "../fixtures/hostile-sage.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir("sp-hostile-");
// Fast retries: a fault that persists fails after three attempts without waiting.
const config = () => emptyConfig({ RUNTIME__REQUEST_BACKOFF_FACTOR: "0", RUNTIME__REQUEST_MAX_ATTEMPTS: "3" });

let api: HostileSage;
let b1: string;
let b2: string;

beforeAll(async () => {
  api = await startHostileSage(2);
  [b1, b2] = api.businesses.map((b) => b.id) as [string, string];
  for (const b of [b1, b2]) {
    api.seed(b, "contacts", 25);
    api.seed(b, "tax_rates", 7);
  }
});
afterAll(() => api.close());
beforeEach(() => {
  api.recover();
});

const source = (resources = ["contacts"]) =>
  sageAccountingSource({ baseUrl: api.apiBaseUrl, accessToken: "hostile-token", itemsPerPage: 10, resources }, config());

/** The ids loaded for a business, sorted. */
async function ids(p: Pipeline, table: string, business: string): Promise<string[]> {
  const rows = await p.dataset().sql(`select id from ${table} where business_id = '${business}' order by id`).rows();
  return rows.map((r) => r.id as string);
}
const liveIds = (business: string, resource: string) =>
  api
    .live(business, resource)
    .map((r) => r.id)
    .sort();

function cursorOf(p: Pipeline, resource: string, business: string): string | undefined {
  const slot = p.state.sources.sage_accounting?.resources?.[resource] as
    { businesses?: Record<string, { lastRunStartedAt?: string }> } | undefined;
  return slot?.businesses?.[business]?.lastRunStartedAt;
}

async function incomplete(p: Pipeline, run: Promise<unknown>): Promise<RunIncompleteError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, String(err)).toBeInstanceOf(RunIncompleteError);
  return err as RunIncompleteError;
}

describe("a page is complete or the run is not a success", () => {
  it("no $items on page 2: the business is incomplete, its cursor stays, the other loads; after recovery the rows are exact", async () => {
    const p = duckPipeline(dir);
    api.fault({ resource: "contacts", business: b1, page: 2, fault: { kind: "no-items" } });
    const err = await incomplete(p, p.run(source()));
    expect(err.loadInfo.incomplete).toHaveLength(1);
    expect(err.loadInfo.incomplete[0]).toMatchObject({
      resource: "contacts",
      partition: { business_id: b1 },
      label: `business "Business 1" (${b1})`,
      rows: "kept",
    });
    expect(err.loadInfo.incomplete[0]!.reason).toContain("$items is missing, not an array of items");
    expect(err.loadInfo.incomplete[0]!.reason).toContain("(after 3 attempts)");
    expect(err.message).toContain(`contacts of business "Business 1" (${b1})`);
    expect(await ids(p, "contacts", b2)).toEqual(liveIds(b2, "contacts"));
    expect(cursorOf(p, "contacts", b1)).toBeUndefined();
    expect(cursorOf(p, "contacts", b2)).toBeDefined();
    api.recover();
    await p.run(source());
    expect(await ids(p, "contacts", b1)).toEqual(liveIds(b1, "contacts"));
    expect(await ids(p, "contacts", b2)).toEqual(liveIds(b2, "contacts"));
    expect(cursorOf(p, "contacts", b1)).toBeDefined();
  });

  it("$items: null that passes after a retry costs one request and loses nothing", async () => {
    const p = duckPipeline(dir);
    api.fault({ resource: "contacts", business: b2, page: 1, times: 1, fault: { kind: "null-items" } });
    const before = api.count({ path: "/v3.1/contacts", business: b2 });
    const logs = captureLogs();
    try {
      await p.run(source());
    } finally {
      logs.stop();
    }
    expect(logs.text).toMatch(/\$items is null, not an array of items; fetching it again/);
    expect(api.count({ path: "/v3.1/contacts", business: b2 }) - before).toBe(3 + 1); // three pages, one of them twice
    expect(await ids(p, "contacts", b1)).toEqual(liveIds(b1, "contacts"));
    expect(await ids(p, "contacts", b2)).toEqual(liveIds(b2, "contacts"));
  });

  it("$total too small or too large: $next is followed to its end, with a warning naming resource, business and both numbers", async () => {
    for (const total of [5, 100]) {
      const p = duckPipeline(dir);
      api.recover();
      api.fault({ resource: "contacts", business: b1, page: 1, fault: { kind: "total", total } });
      const logs = captureLogs();
      try {
        await p.run(source());
      } finally {
        logs.stop();
      }
      expect(await ids(p, "contacts", b1)).toEqual(liveIds(b1, "contacts"));
      expect(logs.text).toContain(
        `contacts: business "Business 1" (${b1}): $total said ${total} but $next led through 25 item(s); all 25 were read ($total is only a hint)`,
      );
    }
  });

  it("a 403 or 404 on page 2 fails that business's read; on the first request it skips the endpoint", async () => {
    for (const status of [403, 404]) {
      const p = duckPipeline(dir);
      api.recover();
      api.fault({ resource: "contacts", business: b1, page: 2, fault: { kind: "status", status } });
      const logs = captureLogs();
      const err = await incomplete(p, p.run(source())).finally(logs.stop);
      expect(err.loadInfo.incomplete.map((i) => [i.resource, i.partition])).toEqual([["contacts", { business_id: b1 }]]);
      expect(err.loadInfo.incomplete[0]!.reason).toContain(`resource contacts, business "Business 1" (${b1}): GET`);
      expect(err.loadInfo.incomplete[0]!.reason).toContain(`failed: ${status}`);
      expect(logs.text).not.toContain("not available for its country or subscription");
      expect(cursorOf(p, "contacts", b1)).toBeUndefined();
    }
    const p = duckPipeline(dir);
    api.recover();
    api.fault({ resource: "contacts", business: b1, page: 1, fault: { kind: "status", status: 404 } });
    const logs = captureLogs();
    await p.run(source()).finally(logs.stop);
    expect(logs.text).toContain(
      `contacts: skipped for business "Business 1" (${b1}): not available for its country or subscription (404)`,
    );
    expect(await ids(p, "contacts", b1)).toEqual([]);
    expect(await ids(p, "contacts", b2)).toEqual(liveIds(b2, "contacts"));
  });

  it("a repeated page is fetched again; one that keeps repeating fails the business", async () => {
    const p = duckPipeline(dir);
    api.fault({ resource: "contacts", business: b1, page: 2, times: 1, fault: { kind: "repeat" } });
    await p.run(source());
    expect(await ids(p, "contacts", b1)).toEqual(liveIds(b1, "contacts"));
    const q = duckPipeline(dir);
    api.fault({ resource: "contacts", business: b2, page: 3, fault: { kind: "repeat" } });
    const err = await incomplete(q, q.run(source()));
    expect(err.loadInfo.incomplete[0]).toMatchObject({ resource: "contacts", partition: { business_id: b2 } });
    expect(err.loadInfo.incomplete[0]!.reason).toContain("it repeats the previous page item for item (after 3 attempts)");
    expect(cursorOf(q, "contacts", b2)).toBeUndefined();
  });

  it("a body cut mid-way (ended cleanly, or the connection dropped) is fetched again", async () => {
    for (const kind of ["cut", "cut-connection"] as const) {
      const p = duckPipeline(dir);
      api.recover();
      api.fault({ resource: "contacts", business: b1, page: 2, times: 2, fault: { kind } });
      await p.run(source());
      expect(await ids(p, "contacts", b1)).toEqual(liveIds(b1, "contacts"));
    }
  });

  it("a lost page of the changes never moves the cursor past it: the next run reads those changes", async () => {
    const p = duckPipeline(dir);
    await p.run(source());
    const first = cursorOf(p, "contacts", b1);
    expect(first).toBeDefined();
    // Let the server clock move past the first run's window, then change 15 contacts (two pages of changes).
    await new Promise((r) => setTimeout(r, 1100));
    const changed = api.touch(b1, "contacts", 15);
    api.fault({ resource: "contacts", business: b1, page: 2, pass: "updated_or_created_since", fault: { kind: "null-items" } });
    await incomplete(p, p.run(source()));
    expect(cursorOf(p, "contacts", b1)).toBe(first);
    api.recover();
    await p.run(source());
    const names = await p
      .dataset()
      .sql(`select id, name from contacts where business_id = '${b1}' and name like '%(changed)'`)
      .rows();
    expect(names.map((r) => r.id).sort()).toEqual(changed.map((r) => r.id).sort());
    expect(cursorOf(p, "contacts", b1)! > first!).toBe(true);
  });
});

describe("keys come from the source, not the data", () => {
  it("an item's own business_id lands in item_business_id; the row keeps the business it came from", async () => {
    const p = duckPipeline(dir);
    api.fault({ resource: "tax_rates", business: b1, fault: { kind: "item-business-id", value: b2 } });
    await p.run(source(["tax_rates"]));
    const rows = await p
      .dataset()
      .sql("select business_id, item_business_id, count(*) as n from tax_rates group by 1, 2 order by 1")
      .rows();
    expect(rows).toEqual([
      { business_id: b1, item_business_id: b2, n: 7 },
      { business_id: b2, item_business_id: null, n: 7 },
    ]);
  });
});
