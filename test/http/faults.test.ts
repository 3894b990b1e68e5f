import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onRequestEvent } from "../../src/http/index.js";
import { postgres } from "../../src/destinations/postgres/index.js";
import type { Pipeline } from "../../src/pipeline/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { sageAccountingSource } from "../../src/sage/index.js";
import { type FaultProxy, ISSUE_8_RATES, startFaultProxy } from "../fixtures/fault-proxy.js";
import { PG_URL, dropSchema, probePostgres } from "../destinations/pg-server.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

/**
 * Issue 8, "faults still give exact data": a full Sage load through the fault proxy equals the
 * uninterrupted load, table by table and row by row. The short form (npm test) uses a small
 * world and 1.5 s stalls against a 0.5 s stall timeout; SAGE_RELIABILITY=long uses a larger
 * world, 30 s stalls against the default stall timeout, and does the same again into the
 * Postgres server (PG_URL; a clean and a faulty load, each in its own schema) when it answers.
 * Counts go to $SAGE_FAULTS_REPORT when set (for RELIABILITY.md; one entry per destination).
 */
const LONG = process.env.SAGE_RELIABILITY === "long";
const dir = tempDir("sp-faults-");
const pgSkip = LONG ? await probePostgres() : "the Postgres form runs with SAGE_RELIABILITY=long";
const stamp = Date.now().toString(36);
const pgSchemas: string[] = [];

/** The destinations a clean and a faulty load go to: DuckDB files, and (long form) Postgres schemas. */
const TARGETS: Array<{ name: string; make: (pipelineName: string) => Pipeline }> = [
  { name: "duckdb", make: (pipelineName) => duckPipeline(dir, { pipelineName }) },
  ...(pgSkip
    ? []
    : [
        {
          name: "postgres",
          make: (pipelineName: string) => {
            const datasetName = `faults_${stamp}_${pipelineName}`;
            pgSchemas.push(datasetName);
            return duckPipeline(dir, {
              pipelineName: `pg_${pipelineName}`,
              datasetName,
              destination: postgres({ credentials: PG_URL }),
            });
          },
        },
      ]),
];

const SHORT_RESOURCES = ["contacts", "sales_invoices", "tax_rates", "ledger_accounts", "bank_accounts"];

/** Row keys are random per run; everything else must match exactly. */
const RUN_COLUMNS = new Set(["_dlt_id", "_dlt_parent_id", "_dlt_root_id", "_dlt_load_id"]);

async function snapshot(p: Pipeline): Promise<Record<string, string[]>> {
  const ds = p.dataset();
  const out: Record<string, string[]> = {};
  for (const t of (await ds.tables()).sort()) {
    if (t.startsWith("_dlt_")) continue;
    const rows = await ds.table(t).rows();
    out[t] = rows
      .map((r) =>
        JSON.stringify(
          Object.keys(r)
            .filter((k) => !RUN_COLUMNS.has(k))
            .sort()
            .map((k) => [k, String(r[k])]),
        ),
      )
      .sort();
  }
  return out;
}

describe("a full Sage load through a faulty network gives exactly the clean result", () => {
  let sb: Sandbox;
  let proxy: FaultProxy;
  let token: string;
  beforeAll(async () => {
    // One access token for both loads: the long form takes longer than Sage's 5-minute lifetime.
    sb = await startSandbox({ port: 0, businesses: 2, scale: LONG ? 0.5 : 0.05, seed: 8, accessTokenTtlSeconds: 86_400 });
    token = sb.issueTokens().access_token;
    proxy = await startFaultProxy({
      target: new URL(sb.apiBaseUrl).origin,
      seed: 8,
      rates: ISSUE_8_RATES,
      stallMs: LONG ? 30_000 : 1_500,
      retryAfterSeconds: LONG ? 1 : 0.2,
    });
  });
  afterAll(async () => {
    await proxy.close();
    await sb.close();
    for (const schema of pgSchemas) {
      await dropSchema(schema);
      await dropSchema(`${schema}_staging`);
    }
  });
  const reports: unknown[] = [];

  it.each(TARGETS)("every table, every row: $name", { timeout: LONG ? 1_800_000 : 180_000 }, async (target) => {
    // A fifth of the requests fail: ten attempts make a request that fails every time about 1 in 10^7.
    const runtime = {
      RUNTIME__REQUEST_MAX_ATTEMPTS: "10",
      RUNTIME__REQUEST_BACKOFF_FACTOR: "0.05",
      ...(LONG ? {} : { RUNTIME__REQUEST_STALL_TIMEOUT: "0.5" }),
    };
    // The short form reads a few resources in small pages: many requests (each a chance of a
    // fault) for little normalize and load work. The long form reads every default resource.
    const scope = LONG ? {} : { resources: SHORT_RESOURCES, itemsPerPage: 10 };
    const source = (baseUrl: string) =>
      sageAccountingSource({ baseUrl, accessToken: token, maxConcurrency: 8, ...scope }, emptyConfig(runtime));
    const clean = target.make("clean");
    await clean.run(source(sb.apiBaseUrl));
    const expected = await snapshot(clean);

    let requests = 0;
    let retries = 0;
    const off = onRequestEvent((e) => {
      if (e.type === "request") requests++;
      if (e.type === "retry") retries++;
    });
    const before = { ...proxy.counts };
    const faulty = target.make("faulty");
    const path = new URL(sb.apiBaseUrl).pathname;
    try {
      await faulty.run(source(`${proxy.url}${path}`));
    } finally {
      off();
    }
    const got = await snapshot(faulty);

    // What the proxy did during this faulty load.
    const c = Object.fromEntries(
      Object.entries(proxy.counts).map(([k, v]) => [k, v - before[k as keyof typeof before]]),
    ) as typeof proxy.counts;
    const rows = Object.values(expected).reduce((n, r) => n + r.length, 0);
    const report = {
      form: LONG ? "long" : "short",
      destination: target.name,
      tables: Object.keys(expected).length,
      rows,
      requestsSent: requests,
      retries,
      proxy: c,
    };
    reports.push(report);
    if (process.env.SAGE_FAULTS_REPORT)
      writeFileSync(process.env.SAGE_FAULTS_REPORT, `${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
    // Each kind of fault happened, so each path of the retry rules ran.
    for (const k of ["reset", "truncate", "stall", "throttle", "html503", "html200"] as const) expect(c[k], k).toBeGreaterThan(0);
    expect(Object.keys(got)).toEqual(Object.keys(expected));
    for (const t of Object.keys(expected)) expect(got[t], t).toEqual(expected[t]);
    expect(rows).toBeGreaterThan(LONG ? 10_000 : 500);
  });
});
