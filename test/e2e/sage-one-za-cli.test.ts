import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { SA_RESOURCE_SPECS } from "../../src/sageone-za/index.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";

/**
 * `sage-pipeline run --source sage_one_za` as a user runs it: the built CLI in a child process, in
 * an empty directory, configured only through SOURCES__SAGE_ONE_ZA_SOURCE__* variables, against
 * the sandbox's SA API running in this process (so the child is spawned asynchronously).
 */
const bin = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");
const cwd = tempDir("sp-sa-cli-");
const inspectDir = tempDir("sp-sa-cli-inspect-");
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, scale: 0.2, saRequestsPerMinute: 1_000_000 });
});
afterAll(() => sb.close());

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const o = sb.options;
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: cwd,
      SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
      SOURCES__SAGE_ONE_ZA_SOURCE__BASE_URL: sb.saBaseUrl,
      SOURCES__SAGE_ONE_ZA_SOURCE__API_KEY: o.saApiKey,
      SOURCES__SAGE_ONE_ZA_SOURCE__USERNAME: o.saUsername,
      SOURCES__SAGE_ONE_ZA_SOURCE__PASSWORD: o.saPassword,
      SOURCES__SAGE_ONE_ZA_SOURCE__REQUESTS_PER_SECOND: "1000",
      SOURCES__SAGE_ONE_ZA_SOURCE__REQUESTS_PER_MINUTE: "1000000",
      ...env,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill(), 90_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The database the CLI wrote, read through the dataset API (after the child has exited). */
function database() {
  return duckPipeline(inspectDir, {
    pipelineName: "sage_one_za_pipeline",
    datasetName: "sage_one_za_data",
    destination: duckdb({ credentials: join(cwd, "sage_one_za_pipeline.duckdb") }),
    restoreFromDestination: false,
  }).dataset();
}

function expectedCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const spec of SA_RESOURCE_SPECS) {
    for (const { id } of sb.store.saCompanies) {
      const records = sb.store.saRecords(id, spec.service, { includeDetail: spec.detail });
      out[spec.name] = (out[spec.name] ?? 0) + records.length;
      if (spec.detail)
        out[`${spec.name}__lines`] =
          (out[`${spec.name}__lines`] ?? 0) + records.reduce((s, r) => s + (r.Lines as unknown[]).length, 0);
    }
  }
  return out;
}

describe("sage-pipeline run --source sage_one_za (e2e)", () => {
  it("loads both companies into ./sage_one_za_pipeline.duckdb, then incrementally after changes", async () => {
    expect(existsSync(bin), "run `npm run build` first").toBe(true);
    const first = await cli(["run", "--source", "sage_one_za", "--no-progress"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("loaded to destination duckdb and into dataset sage_one_za_data");
    expect(first.stdout).toMatch(/tax_invoices__lines\s+\d+/);
    expect(existsSync(join(cwd, "sage_one_za_pipeline.duckdb"))).toBe(true);
    const expected = expectedCounts();
    expect(await database().rowCounts()).toEqual(expected);

    const db = database();
    for (const { id } of sb.store.saCompanies) {
      const invoices = sb.store.saRecords(id, "TaxInvoice");
      const cents = invoices.reduce((s, r) => s + Math.round((r.Total as number) * 100), 0);
      const [row] = await db
        .sql(`SELECT CAST(SUM(total) * 100 AS BIGINT) AS cents, COUNT(*) AS n FROM tax_invoices WHERE company_id = ${id}`)
        .rows();
      expect(row).toEqual({ cents, n: invoices.length });
    }

    // Changes in the first company; the second run asks each list once per company and merges.
    const company = sb.store.saCompanies[0]!.id;
    const change = sb.mutateSa({ company, resource: "TaxInvoice", updates: 1, creates: 2 });
    sb.mutateSa({ company, resource: "Supplier", creates: 1 });
    sb.resetStats();
    const second = await cli(["run", "--source", "sage_one_za", "--no-progress"]);
    expect(second.code, second.stderr).toBe(0);
    expect(sb.requestCount({ pathPrefix: "/api/2.0.0" })).toBe(1 + sb.store.saCompanies.length * SA_RESOURCE_SPECS.length);
    expect(await database().rowCounts()).toEqual(expectedCounts());
    const [updated] = await database()
      .sql(`SELECT reference FROM tax_invoices WHERE company_id = ${company} AND id = ${change.updated[0]}`)
      .rows();
    expect(String(updated!.reference)).toContain("(edited 1)");
  });

  it("bad credentials: exit code 2 (the user must fix them) and a message naming the settings, without the password", async () => {
    const r = await cli(["run", "--source", "sage_one_za", "--no-progress"], {
      SOURCES__SAGE_ONE_ZA_SOURCE__PASSWORD: "wrong-password-e2e",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Sage One refused the credentials");
    expect(r.stderr).toContain("SOURCES__SAGE_ONE_ZA_SOURCE__PASSWORD");
    expect(r.stderr + r.stdout).not.toContain("wrong-password-e2e");
    const missing = await cli(["run", "--source", "sage_one_za", "--no-progress"], { SOURCES__SAGE_ONE_ZA_SOURCE__API_KEY: "" });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("SOURCES__SAGE_ONE_ZA_SOURCE__API_KEY");
  });
});
