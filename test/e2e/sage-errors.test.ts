import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { readDataset, runCli } from "./cli-helpers.js";

describe("Sage errors: 403 per area, 404 per country/plan, 401 no subscription", () => {
  let sb: Sandbox;
  let cwd: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    sb = await startSandbox({
      port: 0,
      businesses: 3,
      scale: 0.05,
      seed: 5,
      businessProfiles: [
        { name: "Full Access Ltd", country: "gb", tier: "plus" },
        { name: "No Bank Role Ltd", country: "gb", tier: "plus", deniedAreas: ["Bank"] },
        { name: "Lapsed Trial Ltd", country: "gb", tier: "plus", subscriptionActive: false },
      ],
    });
    cwd = mkdtempSync(join(tmpdir(), "sp-err-e2e-"));
    env = {
      SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
      SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: sb.apiBaseUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN: sb.issueTokens().access_token,
      SOURCES__SAGE_ACCOUNTING_SOURCE__RESOURCES: "contacts,bank_accounts,bank_transfers",
    };
  });
  afterAll(async () => sb.close());

  it("skips what the user may not see, says so once, and loads the rest", async () => {
    const r = await runCli(["run", "--no-progress"], cwd, env);
    expect(r.status, r.stderr).toBe(0);
    const [full, noBank, lapsed] = sb.store.businesses;
    expect(r.stderr.match(/no active Sage subscription/g)?.length).toBe(1);
    expect(r.stderr).toContain(`"Lapsed Trial Ltd" (${lapsed!.id})`);
    expect(r.stderr).toMatch(/bank_accounts: skipped for business "No Bank Role Ltd".*\(403\)/);
    expect(r.stderr).toMatch(/bank_transfers: skipped for business "No Bank Role Ltd".*\(403\)/);
    const ds = readDataset(cwd, "sage_accounting_pipeline.duckdb", "sage_accounting_data");
    const count = async (t: string, b: string) =>
      Number((await ds.sql(`select count(*) as n from ${t} where business_id = '${b}'`).rows())[0]!.n);
    expect(await count("contacts", full!.id)).toBe(sb.store.count(full!.id, "contacts"));
    expect(await count("contacts", noBank!.id)).toBe(sb.store.count(noBank!.id, "contacts"));
    expect(await count("contacts", lapsed!.id)).toBe(0);
    expect(await count("bank_accounts", full!.id)).toBe(sb.store.count(full!.id, "bank_accounts"));
    expect(await count("bank_accounts", noBank!.id)).toBe(0);
  });

  it("a rejected access token fails the run with the instruction to log in (exit 2: the user must act)", async () => {
    const r = await runCli(["run", "--no-progress"], cwd, {
      ...env,
      SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN: "not-a-valid-token",
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr, r.stderr).toContain("the Sage access token was rejected: run `sage-pipeline auth login`");
    expect(r.stderr).not.toContain("not-a-valid-token");
  });
});
