import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Sandbox } from "../../src/sandbox/index.js";
import { PG_URL, dropSchema, withServer } from "../destinations/pg-server.js";
import { BIN } from "../e2e/cli-helpers.js";

export { PG_URL, dropSchema, probePostgres } from "../destinations/pg-server.js";

/** A unique lower-case name per test, so parallel runs and leftovers never meet. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString("hex")}`;
}

export interface RuntimeEnv {
  cwd: string;
  env: Record<string, string>;
  queueSchema: string;
  dataset: string;
}

/**
 * Env for CLI processes: the sandbox's login, Postgres as destination and queue, small leases and
 * delays. `prefix` starts the queue schema's and dataset's names (`<prefix>q_...`, `<prefix>d_...`).
 */
export function runtimeEnv(
  sb: Sandbox,
  extra: Record<string, string> = {},
  auth: "access-token" | "refresh-token" = "access-token",
  prefix = "sp",
): RuntimeEnv {
  const cwd = mkdtempSync(join(tmpdir(), "sp-runtime-"));
  const queueSchema = uniqueName(`${prefix}q`);
  const dataset = uniqueName(`${prefix}d`);
  // Workers' per-job temp dirs (a killed worker leaves its own) stay inside the test's folder.
  mkdirSync(join(cwd, "tmp"));
  return {
    cwd,
    queueSchema,
    dataset,
    env: {
      SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
      TMPDIR: join(cwd, "tmp"),
      SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: sb.apiBaseUrl,
      ...(auth === "access-token"
        ? { SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN: sb.issueTokens("readonly").access_token }
        : {
            SOURCES__SAGE_ACCOUNTING_SOURCE__TOKEN_URL: sb.tokenUrl,
            SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_ID: sb.options.clientId,
            SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_SECRET: sb.options.clientSecret,
            SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN: sb.issueTokens("readonly").refresh_token,
          }),
      SOURCES__SAGE_ACCOUNTING_SOURCE__RESOURCES: '["contacts", "sales_invoices", "products"]',
      PIPELINE__DESTINATION: "postgres",
      PIPELINE__DATASET_NAME: dataset,
      DESTINATION__POSTGRES__CREDENTIALS: PG_URL,
      RUNTIME__QUEUE_URL: PG_URL,
      RUNTIME__QUEUE_SCHEMA: queueSchema,
      RUNTIME__POLL_INTERVAL_SECONDS: "0.2",
      RUNTIME__MAINTENANCE_INTERVAL_SECONDS: "1",
      RUNTIME__JOB_RETRY_DELAY_SECONDS: "1",
      RUNTIME__JOB_RETRY_LIMIT: "1",
      ...extra,
    },
  };
}

export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the output shows `text`. */
  saw: (text: string | RegExp, timeoutMs?: number) => Promise<void>;
}

/** The built CLI (`bin`: its main.js, for callers compiled elsewhere, e.g. the benchmarks) as its own process. */
export function startCli(args: string[], r: RuntimeEnv, env: Record<string, string> = {}, bin = BIN): Proc {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: r.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: r.cwd, ...r.env, ...env },
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (status, signal) => {
      resolve({ status, signal });
    });
  });
  const saw = async (text: string | RegExp, timeoutMs = 60_000) => {
    const t0 = Date.now();
    const seen = () => (typeof text === "string" ? (out + err).includes(text) : text.test(out + err));
    while (!seen()) {
      if (child.exitCode !== null) throw new Error(`process ended without ${String(text)}:\n${err}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`no ${String(text)} within ${timeoutMs} ms:\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, stdout: () => out, stderr: () => err, done, saw };
}

/** Run the CLI to its end. */
export async function cli(args: string[], r: RuntimeEnv, env: Record<string, string> = {}, bin = BIN) {
  const p = startCli(args, r, env, bin);
  const { status } = await p.done;
  return { status, stdout: p.stdout(), stderr: p.stderr() };
}

/** Job counts by pg-boss state (live and archived) of the business queue. */
export async function jobStates(schema: string): Promise<Record<string, number>> {
  return withServer(async (c) => {
    const exists = await c.query("SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'job'", [
      schema,
    ]);
    if (exists.rowCount === 0) return {};
    const { rows } = await c.query<{ state: string; n: string }>(
      `SELECT state::text AS state, count(*) AS n FROM (SELECT state FROM "${schema}".job WHERE name = 'sage_business' UNION ALL SELECT state FROM "${schema}".archive WHERE name = 'sage_business') j GROUP BY state`,
    );
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  });
}

/** Wait until `done` jobs are completed and none is waiting or running (failed ones count as settled). */
export async function waitForJobs(schema: string, settled: (s: Record<string, number>) => boolean, timeoutMs = 80_000) {
  const t0 = Date.now();
  for (;;) {
    const s = await jobStates(schema);
    if (settled(s)) return s;
    if (Date.now() - t0 > timeoutMs) throw new Error(`jobs did not settle within ${timeoutMs} ms: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What a dataset holds: per data table its row count and, where it has them, the sorted (business_id, id) keys. */
export async function datasetSnapshot(dataset: string): Promise<Record<string, { rows: number; keys?: string[] }>> {
  return withServer(async (c: pg.Client) => {
    const { rows: tables } = await c.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name NOT LIKE '\\_dlt%' ORDER BY table_name",
      [dataset],
    );
    const out: Record<string, { rows: number; keys?: string[] }> = {};
    for (const { table_name: t } of tables) {
      const cols = await c.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
        [dataset, t],
      );
      const names = new Set(cols.rows.map((r) => r.column_name));
      const count = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${dataset}"."${t}"`);
      const entry: { rows: number; keys?: string[] } = { rows: Number(count.rows[0]?.n ?? 0) };
      if (names.has("business_id") && names.has("id")) {
        const keys = await c.query<{ k: string }>(`SELECT business_id || '/' || id AS k FROM "${dataset}"."${t}" ORDER BY 1`);
        entry.keys = keys.rows.map((r) => r.k);
      }
      out[t] = entry;
    }
    return out;
  });
}

export async function dropSchemas(...names: string[]): Promise<void> {
  for (const n of names) await dropSchema(n);
}
