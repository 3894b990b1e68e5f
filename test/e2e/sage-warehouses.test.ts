import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigResolver, EnvProvider } from "../../src/config/index.js";
import type { Destination } from "../../src/destinations/destination.js";
import { filesystem } from "../../src/destinations/filesystem/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { sageAccountingSource } from "../../src/sage/index.js";
import { startAzurite } from "../destinations/azurite-server.js";
import { PG_URL, dropSchema, probePostgres } from "../destinations/pg-server.js";
import { redshiftOnPostgres } from "../destinations/redshift-on-postgres.js";
import { type Fakesnow, fakesnowSkipReason, startFakesnow } from "../destinations/fakesnow.js";
import { runCli } from "./cli-helpers.js";
import { type Dataset, expectExactlyTheApi, expectTheMutation, sandboxAuth } from "./sage-expectations.js";

/**
 * The Sage sandbox (two businesses, every default resource) into the warehouses that have a local
 * stand-in, then a mutation and an incremental run: counts, decimals, dates and child tables
 * exact, as the DuckDB e2e (sage-cli.test.ts) checks them. Azure through the built CLI (a
 * filesystem destination on Azurite); Redshift through the library, since its SQL runs on the
 * local Postgres only through the tests' stand-in engine; Snowflake through the library on fakesnow
 * (its endpoint and session setup are not config keys).
 */
const E2E_TIMEOUT_MS = 300_000;

const unreachable = await probePostgres();

describe.skipIf(unreachable !== undefined)(
  `Sage sandbox → Redshift (its SQL on the local Postgres)${unreachable ? ` (skipped: ${unreachable})` : ""}`,
  () => {
    let sb: Sandbox;
    let dir: string;
    const datasetName = `sage_rs_${Math.random().toString(36).slice(2, 8)}`;
    let destination: Destination;
    let pipe: Pipeline;
    beforeAll(async () => {
      sb = await startSandbox({ port: 0, businesses: 2, scale: 0.1, seed: 7 });
      dir = mkdtempSync(join(tmpdir(), "sp-redshift-e2e-"));
      destination = redshiftOnPostgres({ credentials: PG_URL });
      pipe = new Pipeline({
        pipelineName: "sage_redshift",
        datasetName,
        destination,
        pipelinesDir: join(dir, "pipelines"),
        config: new ConfigResolver([new EnvProvider({})]),
      });
    });
    afterAll(async () => {
      await sb.close();
      await dropSchema(datasetName);
      rmSync(dir, { recursive: true, force: true });
    });
    const source = () =>
      sageAccountingSource({ ...sandboxAuth(sb), tokenStore: join(dir, "tokens.json") }, new ConfigResolver([]));

    it(
      "loads every default resource of both businesses exactly, with Redshift's types",
      async () => {
        await pipe.run(source());
        await expectExactlyTheApi(sb, pipe.dataset());
        const types = await pipe
          .dataset()
          .sql(
            `select column_name, data_type, numeric_precision, numeric_scale, character_maximum_length from information_schema.columns where table_schema = '${datasetName}' and table_name = 'sales_invoices' and column_name in ('total_amount', 'date', 'updated_at', 'business_id')`,
          )
          .rows();
        expect(
          Object.fromEntries(
            types.map((t) => [t.column_name, [t.data_type, t.numeric_precision ?? t.character_maximum_length, t.numeric_scale]]),
          ),
        ).toEqual({
          total_amount: ["numeric", 38, 9],
          date: ["date", null, null],
          updated_at: ["timestamp with time zone", null, null],
          business_id: ["character varying", 65535, null],
        });
      },
      E2E_TIMEOUT_MS,
    );

    it(
      "a mutation and an incremental run: updates, creations and deletions land exactly",
      async () => {
        const b0 = sb.store.businesses[0]!.id;
        const before = sb.store.count(b0, "sales_invoices");
        const change = sb.mutate({ business: b0, resource: "sales_invoices", updates: 5, creates: 3, deletes: 2 });
        await pipe.run(source());
        await expectTheMutation(sb, pipe.dataset(), before, change);
      },
      E2E_TIMEOUT_MS,
    );
  },
);

describe("Sage sandbox → filesystem on Azure (Azurite), through the built CLI", () => {
  let sb: Sandbox;
  let cwd: string;
  let env: Record<string, string>;
  let stopAzurite: () => Promise<void>;
  let reader: () => Dataset;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 2, scale: 0.1, seed: 7 });
    const az = await startAzurite();
    stopAzurite = () => az.stop();
    cwd = mkdtempSync(join(tmpdir(), "sp-azure-e2e-"));
    const auth = sandboxAuth(sb);
    const bucketUrl = `az://${az.container}/sage`;
    env = {
      SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
      SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: auth.baseUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__TOKEN_URL: auth.tokenUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_ID: auth.clientId,
      SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_SECRET: auth.clientSecret,
      SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN: auth.refreshToken,
      DESTINATION__FILESYSTEM__BUCKET_URL: bucketUrl,
      DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_STORAGE_ACCOUNT_NAME: String(az.credentials.azure_storage_account_name),
      DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_STORAGE_ACCOUNT_KEY: String(az.credentials.azure_storage_account_key),
      DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_ACCOUNT_HOST: az.endpoint,
    };
    reader = () =>
      new Pipeline({
        pipelineName: "reader",
        datasetName: "sage_accounting_data",
        destination: filesystem({ bucketUrl, credentials: az.credentials }),
        pipelinesDir: join(cwd, ".reader"),
        config: new ConfigResolver([new EnvProvider({})]),
        restoreFromDestination: false,
      }).dataset();
  });
  afterAll(async () => {
    await sb.close();
    await stopAzurite();
    rmSync(cwd, { recursive: true, force: true });
  });

  it(
    "loads every default resource of both businesses exactly, then a mutation and an incremental run",
    async () => {
      const r = await runCli(["run", "--no-progress", "--destination", "filesystem"], cwd, env);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain("az://test-container/sage");
      await expectExactlyTheApi(sb, reader());
      expect(r.stdout + r.stderr).not.toContain(env.DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_STORAGE_ACCOUNT_KEY);
      const b0 = sb.store.businesses[0]!.id;
      const before = sb.store.count(b0, "sales_invoices");
      const change = sb.mutate({ business: b0, resource: "sales_invoices", updates: 5, creates: 3, deletes: 2 });
      const again = await runCli(["run", "--no-progress", "--destination", "filesystem"], cwd, env);
      expect(again.status, again.stderr).toBe(0);
      await expectTheMutation(sb, reader(), before, change);
    },
    E2E_TIMEOUT_MS,
  );
});

const noFakesnow = fakesnowSkipReason();

describe.skipIf(noFakesnow !== undefined)(
  `Sage sandbox → Snowflake (fakesnow, through the official SDK)${noFakesnow ? ` (skipped: ${noFakesnow})` : ""}`,
  () => {
    let sb: Sandbox;
    let dir: string;
    let fs: Fakesnow;
    const datasetName = `sage_sf_${Math.random().toString(36).slice(2, 8)}`;
    let pipe: Pipeline;
    beforeAll(async () => {
      sb = await startSandbox({ port: 0, businesses: 2, scale: 0.1, seed: 7 });
      fs = await startFakesnow();
      dir = mkdtempSync(join(tmpdir(), "sp-snowflake-e2e-"));
      pipe = new Pipeline({
        pipelineName: "sage_snowflake",
        datasetName,
        destination: fs.destination(),
        pipelinesDir: join(dir, "pipelines"),
        config: new ConfigResolver([new EnvProvider({})]),
      });
    }, 120_000);
    afterAll(async () => {
      await sb.close();
      await fs.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const source = () =>
      sageAccountingSource({ ...sandboxAuth(sb), tokenStore: join(dir, "tokens.json") }, new ConfigResolver([]));

    it(
      "loads every default resource of both businesses exactly, with Snowflake's types and upper-case names",
      async () => {
        await pipe.run(source());
        await expectExactlyTheApi(sb, pipe.dataset());
        const types = await pipe
          .dataset()
          .sql(
            `select column_name, data_type, numeric_precision, numeric_scale from information_schema.columns where table_schema = '${datasetName.toUpperCase()}' and table_name = 'SALES_INVOICES' and column_name in ('TOTAL_AMOUNT', 'DATE', 'UPDATED_AT', 'BUSINESS_ID')`,
          )
          .rows();
        expect(
          Object.fromEntries(
            types.map((t) => [t.column_name, [t.data_type, t.numeric_precision ?? null, t.numeric_scale ?? null]]),
          ),
        ).toEqual({
          TOTAL_AMOUNT: ["NUMBER", 38, 9],
          DATE: ["DATE", null, null],
          UPDATED_AT: ["TIMESTAMP_TZ", null, null],
          BUSINESS_ID: ["TEXT", null, null],
        });
      },
      E2E_TIMEOUT_MS,
    );

    it(
      "a mutation and an incremental run: updates, creations and deletions land exactly",
      async () => {
        const b0 = sb.store.businesses[0]!.id;
        const before = sb.store.count(b0, "sales_invoices");
        const change = sb.mutate({ business: b0, resource: "sales_invoices", updates: 5, creates: 3, deletes: 2 });
        await pipe.run(source());
        await expectTheMutation(sb, pipe.dataset(), before, change);
      },
      E2E_TIMEOUT_MS,
    );
  },
);
