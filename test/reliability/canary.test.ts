import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { SAGE_ONE_ZA_RESOURCES } from "../../src/sageone-za/index.js";
import { PG_URL, probePostgres, withServer } from "../destinations/pg-server.js";
import { runCli, type CliResult } from "../e2e/cli-helpers.js";
import { tempDir } from "../helpers/tmp-pipeline.js";
import { call, stdioClient, Transcript } from "../mcp/mcp-helpers.js";
import { CanaryScan, canaryForms } from "./canary-scan.js";

/**
 * The canary scan (issue 8, "Secrets never leave"): distinctive canary values for the Sage access
 * token, refresh token and client secret, the ZA API key and password, and a Postgres password (a
 * real role on the test server with that password), driven through the built CLI: a normal run
 * into DuckDB and into Postgres, the ZA source, two auth failures, two failing destinations, every
 * `pipeline` action, every dashboard endpoint of `show`, every MCP tool, all at log level debug.
 * Then every output is searched for every canary, as is and URL-encoded, JSON-escaped, base64:
 * stdout, stderr, every file of the project folder and the data dir (packages, traces, state,
 * schemas; the 0600 token store excepted, its mode asserted), every dashboard and MCP answer,
 * every table of the DuckDB files and the Postgres datasets.
 */

const LONG = process.env.SAGE_RELIABILITY === "long";
const stamp = Date.now().toString(36);
const CANARY = {
  clientSecret: `cnry-client-secret-${stamp}-7Qx/+9`,
  tokenPrefix: `cnryTOK${stamp}`,
  badRefreshToken: `cnry-bad-refresh-${stamp}-a1b2c3d4`,
  badClientSecret: `cnry-bad-secret-${stamp}-e5f6a7b8`,
  zaApiKey: `{CA4A21E5-7D1A-4E8B-9C55-${stamp.toUpperCase().padStart(12, "0").slice(-12)}}`,
  zaPassword: `cnry-za-pass-${stamp}-#pw`,
  zaBadPassword: `cnry-za-bad-pass-${stamp}`,
  pgPassword: `cnry-pg-pass-${stamp}+/@:x`,
};
const PG_ROLE = `canary_${stamp}`;
const PG_DATASET = `canary_pg_${stamp}`;

const root = tempDir("sp-canary-");
const cwd = join(root, "project");
/** A project whose secrets.toml does not parse, on the client secret's line. */
const brokenCwd = join(root, "project-broken");
const dataDir = join(root, "data");
const pgSkip = await probePostgres();

let sb: Sandbox;
/** Every access and refresh token the sandbox issued (all carry the canary prefix). */
const issued: string[] = [];
const outputs: Array<{ what: string; result: CliResult }> = [];
const answers = new Transcript();
const pgUrl = new URL(PG_URL);
const canaryPgUrl = (port = pgUrl.port || "5432", database = pgUrl.pathname.slice(1)) =>
  `postgresql://${PG_ROLE}:${encodeURIComponent(CANARY.pgPassword)}@127.0.0.1:${port}/${database}`;

const baseEnv = (): Record<string, string> => ({
  SAGE_PIPELINE_DATA_DIR: dataDir,
  RUNTIME__LOG_LEVEL: "debug",
  SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN: issued[0]!,
  SOURCES__SAGE_ONE_ZA_SOURCE__BASE_URL: sb.saBaseUrl,
  SOURCES__SAGE_ONE_ZA_SOURCE__API_KEY: CANARY.zaApiKey,
  SOURCES__SAGE_ONE_ZA_SOURCE__USERNAME: sb.options.saUsername,
  SOURCES__SAGE_ONE_ZA_SOURCE__PASSWORD: CANARY.zaPassword,
  SOURCES__SAGE_ONE_ZA_SOURCE__REQUESTS_PER_SECOND: "1000",
  SOURCES__SAGE_ONE_ZA_SOURCE__REQUESTS_PER_MINUTE: "1000000",
  ...(pgSkip ? {} : { DESTINATION__POSTGRES__CREDENTIALS: canaryPgUrl() }),
});

/** The built CLI in `dir`; an env value of undefined takes that variable away. */
async function cli(what: string, args: string[], env: Record<string, string | undefined> = {}, dir = cwd): Promise<CliResult> {
  const merged = Object.entries({ ...baseEnv(), ...env }).filter((e): e is [string, string] => e[1] !== undefined);
  const result = await runCli(args, dir, Object.fromEntries(merged));
  outputs.push({ what, result });
  return result;
}

const SAGE_RESOURCES = LONG
  ? "contacts,sales_invoices,purchase_invoices,tax_rates,ledger_accounts,bank_accounts"
  : "contacts,sales_invoices,tax_rates";
const ZA_RESOURCES = SAGE_ONE_ZA_RESOURCES.slice(0, LONG ? 6 : 2).join(",");

beforeAll(async () => {
  sb = await startSandbox({
    port: 0,
    businesses: LONG ? 2 : 1,
    scale: LONG ? 0.2 : 0.02,
    seed: 8,
    clientSecret: CANARY.clientSecret,
    tokenPrefix: CANARY.tokenPrefix,
    saApiKey: CANARY.zaApiKey,
    saPassword: CANARY.zaPassword,
    saRequestsPerMinute: 1_000_000,
  });
  issued.push(sb.issueTokens().refresh_token, sb.issueTokens().refresh_token);
  mkdirSync(join(cwd, ".dlt"), { recursive: true });
  // The client secret where a user keeps it; the other secrets come from the environment.
  writeFileSync(
    join(cwd, ".dlt", "secrets.toml"),
    ["[sources.sage_accounting_source]", `client_secret = "${CANARY.clientSecret}"`, ""].join("\n"),
    { mode: 0o600 },
  );
  writeFileSync(
    join(cwd, ".dlt", "config.toml"),
    [
      "[sources.sage_accounting_source]",
      `client_id = "${sb.options.clientId}"`,
      `base_url = "${sb.apiBaseUrl}"`,
      `token_url = "${sb.tokenUrl}"`,
      "",
    ].join("\n"),
  );
  if (!pgSkip) {
    await withServer(async (c) => {
      await c.query(`CREATE ROLE ${PG_ROLE} LOGIN PASSWORD '${CANARY.pgPassword.replace(/'/g, "''")}'`);
      await c.query(`GRANT CREATE ON DATABASE "${pgUrl.pathname.slice(1)}" TO ${PG_ROLE}`);
    });
  }
}, 60_000);

afterAll(async () => {
  await sb.close();
  if (!pgSkip) {
    await withServer(async (c) => {
      await c.query(`DROP OWNED BY ${PG_ROLE} CASCADE`);
      await c.query(`DROP ROLE ${PG_ROLE}`);
    });
  }
});

describe("canary scan: no secret leaves", () => {
  it("the runs: a sandbox load, the ZA source, Postgres, auth failures, failing destinations", { timeout: 600_000 }, async () => {
    const ok = await cli("run (DuckDB)", ["run", "--resources", SAGE_RESOURCES, "--no-progress", "--log-level", "debug"]);
    expect(ok.status, ok.stderr).toBe(0);
    // A second run refreshes with the rotated token from the store.
    sb.expireAccessTokens();
    const again = await cli("rerun (DuckDB)", [
      "run",
      "--resources",
      SAGE_RESOURCES,
      "--no-progress",
      "--log-level",
      "debug",
      "--json",
    ]);
    expect(again.status, again.stderr).toBe(0);

    const za = await cli("run sage_one_za", [
      "run",
      "sage_one_za",
      "--resources",
      ZA_RESOURCES,
      "--no-progress",
      "--log-level",
      "debug",
    ]);
    expect(za.status, za.stderr).toBe(0);

    if (!pgSkip) {
      const toPg = await cli("run (Postgres)", [
        "run",
        "--pipeline-name",
        "canary_pg",
        "--destination",
        "postgres",
        "--dataset-name",
        PG_DATASET,
        "--resources",
        SAGE_RESOURCES,
        "--no-progress",
        "--log-level",
        "debug",
      ]);
      expect(toPg.status, toPg.stderr).toBe(0);
      // Postgres down (nothing listens on port 1) and a database that does not exist.
      for (const [what, url] of [
        ["postgres refused", canaryPgUrl("1")],
        ["postgres no database", canaryPgUrl(undefined, `no_such_db_${stamp}`)],
      ] as const) {
        const down = await cli(
          `run (${what})`,
          [
            "run",
            "--pipeline-name",
            "canary_pg_down",
            "--destination",
            "postgres",
            "--resources",
            "tax_rates",
            "--no-progress",
            "--log-level",
            "debug",
          ],
          { DESTINATION__POSTGRES__CREDENTIALS: url },
        );
        expect(down.status, down.stderr).not.toBe(0);
      }
      // The same as fields, the password on its own.
      const fields = await cli(
        "run (postgres fields, refused)",
        [
          "run",
          "--pipeline-name",
          "canary_pg_down",
          "--destination",
          "postgres",
          "--resources",
          "tax_rates",
          "--no-progress",
          "--log-level",
          "debug",
        ],
        {
          DESTINATION__POSTGRES__CREDENTIALS: undefined,
          DESTINATION__POSTGRES__CREDENTIALS__HOST: "127.0.0.1",
          DESTINATION__POSTGRES__CREDENTIALS__PORT: "1",
          DESTINATION__POSTGRES__CREDENTIALS__USERNAME: PG_ROLE,
          DESTINATION__POSTGRES__CREDENTIALS__PASSWORD: CANARY.pgPassword,
          DESTINATION__POSTGRES__CREDENTIALS__DATABASE: "test",
        },
      );
      expect(fields.status, fields.stderr).toBe(1);
    }
    // Auth failures, each in its own data dir (no token store yet): a refresh token the sandbox
    // never issued, and a wrong client secret with a good refresh token.
    const badToken = await cli(
      "run (bad refresh token)",
      ["run", "--resources", "tax_rates", "--no-progress", "--log-level", "debug"],
      {
        SAGE_PIPELINE_DATA_DIR: join(root, "data-bad-token"),
        SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN: CANARY.badRefreshToken,
      },
    );
    expect(badToken.status, badToken.stderr).toBe(2);
    const badSecret = await cli(
      "run (bad client secret)",
      ["run", "--resources", "tax_rates", "--no-progress", "--log-level", "debug"],
      {
        SAGE_PIPELINE_DATA_DIR: join(root, "data-bad-secret"),
        SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN: issued[1]!,
        SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_SECRET: CANARY.badClientSecret,
      },
    );
    expect(badSecret.status, badSecret.stderr).toBe(2);
    // The ZA API refusing the login (a wrong password), and a secrets.toml that does not parse
    // on the client secret's line (its excerpt is printed with the error).
    const zaBad = await cli(
      "run sage_one_za (bad password)",
      [
        "run",
        "sage_one_za",
        "--pipeline-name",
        "canary_za_bad",
        "--resources",
        ZA_RESOURCES,
        "--no-progress",
        "--log-level",
        "debug",
      ],
      {
        SOURCES__SAGE_ONE_ZA_SOURCE__PASSWORD: CANARY.zaBadPassword,
      },
    );
    expect(zaBad.status, zaBad.stderr).toBe(2);
    mkdirSync(join(brokenCwd, ".dlt"), { recursive: true });
    writeFileSync(
      join(brokenCwd, ".dlt", "secrets.toml"),
      `[sources.sage_accounting_source]\nclient_secret = "${CANARY.clientSecret}\n`,
      { mode: 0o600 },
    );
    const broken = await cli(
      "run (secrets.toml does not parse)",
      ["run", "--resources", "tax_rates", "--no-progress", "--log-level", "debug"],
      {},
      brokenCwd,
    );
    expect(broken.status, broken.stderr).toBe(2);
    expect(broken.stderr).toContain(".dlt/secrets.toml:2:");
  });

  it(
    "the inspect commands: auth status, pipeline list, info, trace, failed-jobs, schema, state",
    { timeout: 300_000 },
    async () => {
      const status = await cli("auth status", ["auth", "status"]);
      expect(status.status, status.stderr).toBe(0);
      const list = await cli("pipeline --list", ["pipeline", "--list"]);
      expect(list.status).toBe(0);
      const names = list.stdout.trim().split("\n");
      expect(names).toContain("sage_accounting_pipeline");
      for (const name of names) {
        for (const action of ["info", "trace", "failed-jobs", "schema", "state"]) {
          const r = await cli(`pipeline ${name} ${action}`, ["pipeline", name, action]);
          expect(r.status, `${name} ${action}: ${r.stderr}`).toBe(0);
        }
      }
    },
  );

  it("the dashboard: every endpoint of `show` for every pipeline, and hostile queries", { timeout: 300_000 }, async () => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, "..", "..", "dist", "cli", "main.js"), "show", "--no-browser", "--port", "0"],
      {
        cwd,
        env: { PATH: process.env.PATH ?? "", HOME: cwd, ...baseEnv() },
      },
    );
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        const m = /Dashboard on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => {
        reject(new Error(`show exited ${String(code)}: ${stderr}`));
      });
    });
    try {
      const get = async (path: string, init?: RequestInit) => {
        const res = await fetch(`${url}${path}`, init);
        const body = await res.text();
        answers.add({ path, status: res.status, headers: [...res.headers], body });
        return { status: res.status, body };
      };
      expect((await get("/")).status).toBe(200);
      const list = JSON.parse((await get("/api/pipelines")).body) as Array<{ name: string }>;
      expect(list.length).toBeGreaterThanOrEqual(2);
      const post = (name: string, sql: string) =>
        get(`/api/pipelines/${encodeURIComponent(name)}/query`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ sql }),
        });
      for (const { name } of list) {
        await get(`/api/pipelines/${encodeURIComponent(name)}`);
        await get(`/api/pipelines/${encodeURIComponent(name)}/data`);
        await post(name, "select * from _dlt_pipeline_state");
        await post(name, "select * from _dlt_loads");
        await post(name, "select current_setting('application_name')");
        await post(name, `select * from read_text('${join(dataDir, "tokens", "sage_accounting.json")}')`);
        await post(name, `select * from read_text('${join(cwd, ".dlt", "secrets.toml")}')`);
        await post(name, "select * from pg_stat_activity");
      }
      await get("/api/pipelines/nope");
      await get("/nope");
    } finally {
      const closed = new Promise((resolve) => child.on("close", resolve));
      child.kill("SIGTERM");
      await closed;
    }
    outputs.push({ what: "show", result: { status: child.exitCode, stdout, stderr } });
  });

  it("the MCP server: every tool over stdio", { timeout: 300_000 }, async () => {
    const client: Client = await stdioClient(cwd, baseEnv());
    try {
      const { tools } = await client.listTools();
      answers.add(tools);
      const values: Record<string, unknown> = {
        pipeline_name: "sage_accounting_pipeline",
        table_name: "contacts",
        sql_select_query: "select * from _dlt_pipeline_state",
        name: "contacts",
        hide_columns: false,
      };
      let called = 0;
      for (const t of tools) {
        const props = Object.keys((t.inputSchema as { properties?: Record<string, unknown> }).properties ?? {});
        const args = Object.fromEntries(props.filter((p) => p in values).map((p) => [p, values[p]]));
        await call(client, answers, t.name, args);
        if (!pgSkip && "pipeline_name" in args) await call(client, answers, t.name, { ...args, pipeline_name: "canary_pg" });
        called++;
      }
      expect(called).toBeGreaterThanOrEqual(10);
      const { prompts } = await client.listPrompts();
      for (const p of prompts) {
        for (const task of ["add_resource", "debug_failed_run"]) {
          answers.add(await client.getPrompt({ name: p.name, arguments: { task, pipeline_name: "sage_accounting_pipeline" } }));
        }
      }
    } finally {
      await client.close();
    }
  });

  it("finds no canary anywhere (the token store excepted, which is 0600)", async () => {
    const store = join(dataDir, "tokens", "sage_accounting.json");
    expect(statSync(store).mode & 0o777).toBe(0o600);
    const tokens = JSON.parse(readFileSync(store, "utf8")) as { accessToken: string; refreshToken: string };
    const canaries = [
      ...issued,
      tokens.accessToken,
      tokens.refreshToken,
      CANARY.tokenPrefix,
      CANARY.clientSecret,
      CANARY.badRefreshToken,
      CANARY.badClientSecret,
      CANARY.zaApiKey,
      CANARY.zaPassword,
      CANARY.zaBadPassword,
      ...(pgSkip ? [] : [CANARY.pgPassword]),
    ];
    const scan = new CanaryScan(canaries);
    for (const { what, result } of outputs) {
      scan.text(`${what}: stdout`, result.stdout);
      scan.text(`${what}: stderr`, result.stderr);
    }
    answers.texts.forEach((t, i) => {
      scan.text(`answer ${i}`, t);
    });
    // The user's own secrets file is input, not output; every other file is searched.
    scan.files(root, new Set([store, join(cwd, ".dlt", "secrets.toml"), join(brokenCwd, ".dlt", "secrets.toml")]));
    await scan.duckdb(join(cwd, "sage_accounting_pipeline.duckdb"));
    await scan.duckdb(join(cwd, "sage_one_za_pipeline.duckdb"));
    if (!pgSkip) {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      try {
        await scan.postgres(admin, [PG_DATASET, `${PG_DATASET}_staging`]);
      } finally {
        await admin.end();
      }
    }
    // SAGE_CANARY_DUMP=<file>: everything the CLI printed and answered, to read what was scanned.
    if (process.env.SAGE_CANARY_DUMP)
      writeFileSync(process.env.SAGE_CANARY_DUMP, JSON.stringify({ outputs, answers: answers.texts }, null, 1));
    console.log(
      `canary scan: ${canaries.length} canaries × their forms; ${outputs.length} CLI runs, ${answers.texts.length} dashboard/MCP answers, ` +
        `${scan.counts.files} files, ${scan.counts.tables} tables (${scan.counts.rows} rows)${pgSkip ? `; Postgres skipped: ${pgSkip}` : ""}`,
    );
    expect(scan.report()).toEqual([]);
    // The scan did see real output: the data is there.
    expect(scan.counts.rows).toBeGreaterThan(100);
  });

  it("the scanner finds a planted canary in each form", () => {
    const secret = "planted-canary-secret-value";
    const scan = new CanaryScan([secret]);
    for (const f of canaryForms(secret)) scan.text(f.form, `xx${f.text}yy`);
    scan.text("basic header", `Authorization: Basic ${Buffer.from(`user:${secret}`).toString("base64")}`);
    scan.text("clean", "nothing here");
    expect(new Set(scan.leaks.map((l) => l.where))).toEqual(new Set([...canaryForms(secret).map((f) => f.form), "basic header"]));
  });
});
