import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigResolver, EnvProvider } from "../../src/config/index.js";
import { BigQueryConnection, bigquery } from "../../src/destinations/bigquery/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { type BigQueryEmulator, emulatorSkipReason, startBigQueryEmulator } from "../destinations/emulators.js";
import { readDataset, runCli } from "./cli-helpers.js";
import { type Dataset, expectExactlyTheApi, expectTheMutation, sandboxAuth } from "./sage-expectations.js";

/**
 * The Sage sandbox (two businesses, every default resource) into BigQuery on bqemulator through
 * the built CLI, configured by dlt's env names, and the same into DuckDB beside it: every table's
 * row count equal to DuckDB's (child tables included), the values exact against the API, then a
 * mutation and an incremental run, equal again. Skipped with the reason where the test venv is
 * missing.
 */
// Every default resource is over 20 tables, each a few jobs on the emulator: about 6 min at load
// average 10 on 2 cores, and over 15 min at 20.
const E2E_TIMEOUT_MS = 1_800_000;
const DATASET = "sage_accounting_data";
const skip = emulatorSkipReason();

describe.skipIf(skip !== undefined)(
  `Sage sandbox → BigQuery (bqemulator), through the built CLI${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let sb: Sandbox;
    let emu: BigQueryEmulator | undefined;
    let root: string;
    const cwd = { bigquery: "", duckdb: "" };
    const env = { bigquery: {} as Record<string, string>, duckdb: {} as Record<string, string> };
    beforeAll(async () => {
      sb = await startSandbox({ port: 0, businesses: 2, scale: 0.1, seed: 7 });
      emu = await startBigQueryEmulator();
      root = mkdtempSync(join(tmpdir(), "sp-bigquery-e2e-"));
      for (const d of ["bigquery", "duckdb"] as const) {
        cwd[d] = mkdtempSync(join(root, `${d}-`));
        // Each run has its own refresh token: the sandbox rotates them.
        const auth = sandboxAuth(sb);
        env[d] = {
          SAGE_PIPELINE_DATA_DIR: join(cwd[d], "data"),
          SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: auth.baseUrl,
          SOURCES__SAGE_ACCOUNTING_SOURCE__TOKEN_URL: auth.tokenUrl,
          SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_ID: auth.clientId,
          SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_SECRET: auth.clientSecret,
          SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN: auth.refreshToken,
        };
      }
      env.bigquery.DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID = emu.projectId;
      env.bigquery.DESTINATION__BIGQUERY__API_ENDPOINT = emu.endpoint;
    }, 120_000);
    afterAll(async () => {
      await sb.close();
      if (emu) {
        const conn = await BigQueryConnection.open({ projectId: emu.projectId, location: "US", apiEndpoint: emu.endpoint });
        await conn.dropDataset(DATASET);
        await conn.dropDataset(`${DATASET}_staging`);
        await emu.stop();
      }
      rmSync(root, { recursive: true, force: true });
    });

    const bq = (): Dataset =>
      new Pipeline({
        pipelineName: "reader",
        datasetName: DATASET,
        destination: bigquery({ credentials: { project_id: emu!.projectId }, apiEndpoint: emu!.endpoint }),
        pipelinesDir: join(root, ".reader"),
        config: new ConfigResolver([new EnvProvider({})]),
        restoreFromDestination: false,
      }).dataset();
    const duck = (): Dataset => readDataset(cwd.duckdb, "sage_accounting_pipeline.duckdb", DATASET);

    async function run(d: "bigquery" | "duckdb"): Promise<string> {
      const r = await runCli(["run", "--no-progress", "--destination", d], cwd[d], env[d], E2E_TIMEOUT_MS);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    }

    /** Every table DuckDB has, with the same number of rows in BigQuery. */
    async function expectTheSameCountsAsDuckDb(): Promise<void> {
      const counts = async (ds: Dataset, tables: string[]) =>
        Object.fromEntries(
          await Promise.all(
            tables.map(async (t) => [t, Number((await ds.sql(`select count(*) as n from "${t}"`).rows())[0]!.n)]),
          ),
        ) as Record<string, number>;
      const tables = (
        await duck().sql("select table_name from information_schema.tables where table_schema = 'sage_accounting_data'").rows()
      )
        .map((r) => String(r.table_name))
        .filter((t) => !t.startsWith("_dlt_"))
        .sort();
      expect(tables.length).toBeGreaterThan(20);
      expect(tables.some((t) => t.includes("__"))).toBe(true);
      const want = await counts(duck(), tables);
      expect(await counts(bq(), tables)).toEqual(want);
    }

    it(
      "loads every default resource of both businesses exactly, then a mutation and an incremental run, as DuckDB does",
      async () => {
        const out = await run("bigquery");
        expect(out).toContain(`bigquery://${emu!.projectId}/${DATASET}`);
        await run("duckdb");
        await expectExactlyTheApi(sb, bq());
        await expectTheSameCountsAsDuckDb();
        const b0 = sb.store.businesses[0]!.id;
        const before = sb.store.count(b0, "sales_invoices");
        const change = sb.mutate({ business: b0, resource: "sales_invoices", updates: 5, creates: 3, deletes: 2 });
        await run("bigquery");
        await run("duckdb");
        await expectTheMutation(sb, bq(), before, change);
        await expectTheSameCountsAsDuckDb();
        const loads = await bq().sql("select count(*) as n from _dlt_loads where status = 0").rows();
        expect(Number(loads[0]!.n)).toBeGreaterThanOrEqual(2);
      },
      E2E_TIMEOUT_MS,
    );
  },
);
