import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/index.js";
import { installStoreTables } from "../../src/runtime/store-tables.js";
import { countRequests, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { BIN } from "../e2e/cli-helpers.js";
import { withServer } from "../destinations/pg-server.js";
import { PG_URL, dropSchema, probePostgres, uniqueName } from "./runtime-helpers.js";

const skip = await probePostgres();
const SOURCE = join(import.meta.dirname, "..", "fixtures", "za-paced-source.mjs");
const PER_SECOND = 2;

/** The most starts in any window of `periodMs` (sorted). */
function peak(starts: number[], periodMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while ((starts[i] as number) - (starts[j] as number) >= periodMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/**
 * Sage One ZA counts requests per API key + user + company, whichever process sends them (past
 * 100 a minute the IP is blocked for an hour). Two processes paced as queue workers are (the
 * shared pacer on one store) load the same company at once, each allowed PER_SECOND requests a
 * second on its own: together they still send no more than PER_SECOND in any second, every
 * request the sandbox answered for the company went through the shared window, and both runs
 * succeed without a block. (Per-second windows keep the test short; the per-minute one is the same code.)
 */
describe.skipIf(skip !== undefined)(`Sage One ZA pacing shared by two workers${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let sb: Sandbox;
  const schema = uniqueName("scale_za");
  const dirs: string[] = [];

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 2, scale: 0.02, seed: 61 });
    await installStoreTables(new Secret(PG_URL), schema);
  });
  afterAll(async () => {
    await sb.close();
    await dropSchema(schema);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const runZa = (company: number) => {
    const cwd = mkdtempSync(join(tmpdir(), "sp-za-pace-"));
    dirs.push(cwd);
    const o = sb.options;
    const child = spawn(process.execPath, [BIN, "run", SOURCE, "--no-progress"], {
      cwd,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: cwd,
        SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
        ZA_PACE_URL: PG_URL,
        ZA_PACE_SCHEMA: schema,
        SOURCES__SAGE_ONE_ZA_SOURCE__BASE_URL: sb.saBaseUrl,
        SOURCES__SAGE_ONE_ZA_SOURCE__API_KEY: o.saApiKey,
        SOURCES__SAGE_ONE_ZA_SOURCE__USERNAME: o.saUsername,
        SOURCES__SAGE_ONE_ZA_SOURCE__PASSWORD: o.saPassword,
        SOURCES__SAGE_ONE_ZA_SOURCE__COMPANIES: `[${company}]`,
        SOURCES__SAGE_ONE_ZA_SOURCE__RESOURCES: '["customers", "suppliers", "items", "tax_types"]',
        SOURCES__SAGE_ONE_ZA_SOURCE__REQUESTS_PER_SECOND: String(PER_SECOND),
        SOURCES__SAGE_ONE_ZA_SOURCE__REQUESTS_PER_MINUTE: "1000",
      },
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    return new Promise<{ status: number | null; stderr: string }>((resolve) => {
      child.on("close", (status) => {
        resolve({ status, stderr: err });
      });
    });
  };

  it("two processes loading one company together keep its rate", async () => {
    const company = sb.store.saCompanies[0]!.id;
    sb.resetStats();
    const [a, b] = await Promise.all([runZa(company), runZa(company)]);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(sb.stats.saBlocked).toBe(0);

    const rows = await withServer(async (c) => {
      const r = await c.query<{ key: string; starts: Date[] }>(`SELECT key, starts FROM "${schema}".sp_pace`);
      return r.rows;
    });
    const paced = rows.find((r) => r.key.endsWith(`:${company}`));
    const starts = (paced?.starts ?? []).map((d) => d.getTime()).sort((x, y) => x - y);
    // Every list request of the company (both processes, every page) was counted in the one window.
    const sent = countRequests(sb.stats, { business: `sa:${company}` });
    expect(sent).toBeGreaterThanOrEqual(8);
    expect(starts).toHaveLength(sent);
    expect(peak(starts, 1000)).toBeLessThanOrEqual(PER_SECOND);
    // So the two together took as long as one process sending all of them at the rate.
    expect((starts.at(-1) as number) - (starts[0] as number)).toBeGreaterThanOrEqual(((sent - PER_SECOND) / PER_SECOND) * 1000);
  }, 60_000);
});
