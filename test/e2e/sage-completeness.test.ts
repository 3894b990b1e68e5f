import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostileSage, startHostileSage } from "../fixtures/hostile-sage.js";
import { readDataset, runCli } from "./cli-helpers.js";

/** The CLI against a Sage look-alike that loses a page: exit 1 with what loaded and what did not, then exact data. */
describe("sage-pipeline run: an incomplete read is not a success", () => {
  let api: HostileSage;
  let cwd: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    api = await startHostileSage(2);
    for (const b of api.businesses) api.seed(b.id, "contacts", 23);
    cwd = mkdtempSync(join(tmpdir(), "sp-complete-e2e-"));
    env = {
      SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
      SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: api.apiBaseUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN: "hostile-token",
      SOURCES__SAGE_ACCOUNTING_SOURCE__RESOURCES: "contacts",
      SOURCES__SAGE_ACCOUNTING_SOURCE__ITEMS_PER_PAGE: "10",
      RUNTIME__REQUEST_BACKOFF_FACTOR: "0",
    };
  });
  afterAll(() => api.close());

  it("exits 1 naming the (resource, business) that is incomplete, shows what loaded, and completes after recovery", async () => {
    const [b1, b2] = api.businesses;
    api.fault({ resource: "contacts", business: b1!.id, page: 2, fault: { kind: "null-items" } });
    const r = await runCli(["run", "--no-progress", "--json"], cwd, env);
    expect(r.status, r.stderr).toBe(1);
    const info = JSON.parse(r.stdout) as {
      isComplete: boolean;
      incomplete: Array<Record<string, unknown>>;
      rowCounts: Record<string, number>;
    };
    expect(info.isComplete).toBe(false);
    expect(info.incomplete).toEqual([
      expect.objectContaining({
        resource: "contacts",
        partition: { business_id: b1!.id },
        label: `business "${b1!.name}" (${b1!.id})`,
      }),
    ]);
    // b2 complete, b1's first page kept (merge): 23 + 10
    expect(info.rowCounts.contacts).toBe(33);
    expect(r.stderr).toContain(`incomplete:\n  - contacts of business "${b1!.name}" (${b1!.id}):`);
    expect(r.stderr).toContain("$items is null, not an array of items");

    api.recover();
    const ok = await runCli(["run", "--no-progress"], cwd, env);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).not.toContain("INCOMPLETE");
    const ds = readDataset(cwd, "sage_accounting_pipeline.duckdb", "sage_accounting_data");
    for (const b of [b1!, b2!]) {
      const rows = await ds.sql(`select id from contacts where business_id = '${b.id}' order by id`).rows();
      expect(rows.map((x) => x.id)).toEqual(
        api
          .live(b.id, "contacts")
          .map((x) => x.id)
          .sort(),
      );
    }
  });
});
