import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dashboard, startDashboard } from "../../src/dashboard/index.js";
import { postgres } from "../../src/destinations/postgres/index.js";
import { resource } from "../../src/extract/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { PG_URL, dropSchema, probePostgres } from "../destinations/pg-server.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

/**
 * The dashboard attack requests (issue 8, RELIABILITY.md "Dashboard attack requests"): what a web
 * page the user visits, or a DNS-rebound host name, could send to `sage-pipeline show`, and what a
 * hostile query can try. Each must be refused, and nothing may change or leak.
 */
const dir = tempDir("sp-dash-attack-");
const CANARY = "token-canary-91c3e5";

interface Answer {
  status: number;
  body: string;
}

/** A raw request, so that Host, Origin and Content-Type are exactly what an attacker sends. */
function send(
  url: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: Number(port), path, method: init.method ?? "GET", headers: init.headers ?? {} },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

function queryAs(dash: Dashboard, pipeline: string, sql: string, headers: Record<string, string> = {}): Promise<Answer> {
  const host = new URL(dash.url).host;
  return send(dash.url, `/api/pipelines/${pipeline}/query`, {
    method: "POST",
    headers: { host, "content-type": "application/json", ...headers },
    body: JSON.stringify({ sql }),
  });
}

const orders = () =>
  resource(
    function* () {
      yield [
        { id: 1, n: 10 },
        { id: 2, n: 20 },
      ];
    },
    { name: "orders", primaryKey: "id" },
  );

describe("dashboard attack requests (DuckDB)", () => {
  let dash: Dashboard;
  const tokens = join(dir, "home", ".sage-pipeline", "tokens", "sage_accounting.json");
  const secrets = join(dir, ".dlt", "secrets.toml");

  beforeAll(async () => {
    mkdirSync(join(tokens, ".."), { recursive: true });
    mkdirSync(join(secrets, ".."), { recursive: true });
    writeFileSync(tokens, JSON.stringify({ refresh_token: CANARY }), { mode: 0o600 });
    writeFileSync(secrets, `[sources.sage_accounting_source]\nclient_secret = "${CANARY}"\n`, { mode: 0o600 });
    await duckPipeline(dir, { pipelineName: "shop" }).run(orders());
    // No destination config at all: the dashboard opens the file the pipeline recorded.
    dash = await startDashboard({ pipelinesDir: join(dir, "pipelines"), config: emptyConfig(), port: 0 });
  });
  afterAll(async () => dash.close());

  it("answers the page's own requests (same origin, JSON)", async () => {
    const host = new URL(dash.url).host;
    const ok = await queryAs(dash, "shop", "select count(*) as n from orders", { origin: `http://${host}` });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ columns: ["n"], rows: [[2]], truncated: false });
    const local = await send(dash.url, "/api/pipelines", { headers: { host: host.replace("127.0.0.1", "localhost") } });
    expect(local.status).toBe(200);
  });

  it("refuses a foreign Host (DNS rebinding), a cross-origin Origin and a body that is not JSON", async () => {
    const port = new URL(dash.url).port;
    for (const host of [`evil.example:${port}`, "127.0.0.1", `127.0.0.1.nip.io:${port}`, `localhost:${Number(port) + 1}`]) {
      expect((await send(dash.url, "/api/pipelines", { headers: { host } })).status, host).toBe(403);
      expect((await queryAs(dash, "shop", "select 1", { host })).status, host).toBe(403);
    }
    for (const origin of ["http://evil.example", "null", `https://127.0.0.1:${port}`, `http://127.0.0.1:${Number(port) + 1}`]) {
      expect((await queryAs(dash, "shop", "select 1", { origin })).status, origin).toBe(403);
      expect((await send(dash.url, "/api/pipelines/shop", { headers: { host: new URL(dash.url).host, origin } })).status).toBe(
        403,
      );
    }
    for (const type of [
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
      "",
    ]) {
      const r = await queryAs(dash, "shop", "select 1", { "content-type": type });
      expect(r.status, type).toBe(415);
    }
  });

  it("lets the database refuse file reads, COPY, ATTACH, DROP, INSTALL and SET, with its own message as 400", async () => {
    const copied = join(dir, "copied.csv");
    const attached = join(dir, "attached.duckdb");
    const attacks = [
      `select * from read_text('${tokens}')`,
      `select * from read_text('${secrets}')`,
      `select * from read_csv('${secrets}')`,
      `select * from read_json('${tokens}')`,
      `copy orders to '${copied}'`,
      `attach '${attached}' as other`,
      "drop table orders",
      "delete from orders",
      "create table x as select 1",
      "install httpfs",
      "load httpfs",
      "set enable_external_access = true",
      "select 1; drop table orders",
    ];
    for (const sql of attacks) {
      const r = await queryAs(dash, "shop", sql);
      expect(r.status, sql).toBe(400);
      expect(r.body).not.toContain(CANARY);
      const { error } = JSON.parse(r.body) as { error: string };
      // The database's own words, not a keyword filter's.
      expect(error, sql).toMatch(/Permission Error|read-only|Cannot change configuration|extensions is disabled|one statement/);
    }
    expect(existsSync(copied)).toBe(false);
    expect(existsSync(attached)).toBe(false);
    const count = await queryAs(dash, "shop", "select count(*) as n from orders");
    expect((JSON.parse(count.body) as { rows: unknown }).rows).toEqual([[2]]);
  });

  it("reports a SQL error as 400 with the database's message", async () => {
    const r = await queryAs(dash, "shop", "select nope from orders");
    expect(r.status).toBe(400);
    expect((JSON.parse(r.body) as { error: string }).error).toMatch(/Binder Error.*nope/);
  });

  it("never creates a database file: a moved database is reported, not recreated", async () => {
    await duckPipeline(dir, { pipelineName: "moved" }).run(orders());
    const file = join(dir, "moved.duckdb");
    renameSync(file, `${file}.bak`);
    const host = new URL(dash.url).host;
    const r = await send(dash.url, "/api/pipelines/moved/data", { headers: { host } });
    expect(r.status).toBe(400);
    expect(r.body).toContain("cannot find the DuckDB database");
    expect(existsSync(file)).toBe(false);
    expect((await queryAs(dash, "moved", "select 1")).status).toBe(400);
    expect(existsSync(file)).toBe(false);
  });
});

const noServer = await probePostgres();

describe.skipIf(noServer !== undefined)(
  `dashboard attack requests (Postgres server)${noServer ? ` (skipped: ${noServer})` : ""}`,
  () => {
    let dash: Dashboard;
    const dataset = `dash_attack_${Math.random().toString(36).slice(2, 8)}`;

    beforeAll(async () => {
      const config = emptyConfig({ DESTINATION__POSTGRES__CREDENTIALS: PG_URL });
      const p = new Pipeline({
        pipelineName: "pgshop",
        datasetName: dataset,
        destination: postgres({ credentials: PG_URL }),
        pipelinesDir: join(dir, "pg-pipelines"),
        config,
      });
      await p.run(orders());
      dash = await startDashboard({ pipelinesDir: join(dir, "pg-pipelines"), config, port: 0 });
    });
    afterAll(async () => {
      await dash.close();
      await dropSchema(dataset);
    });

    it("runs reads, and the server refuses lo_create, DDL, DML and a second statement", async () => {
      const ok = await queryAs(dash, "pgshop", "select id, n from orders order by id");
      expect(JSON.parse(ok.body)).toEqual({
        columns: ["id", "n"],
        rows: [
          [1, 10],
          [2, 20],
        ],
        truncated: false,
      });
      for (const sql of [
        "select lo_create(0)",
        "drop table orders",
        "delete from orders",
        "create table x (a int)",
        "select 1; drop table orders",
        "select set_config('transaction_read_only', 'off', false)",
        "copy orders to '/tmp/sp-dash-copied.csv'",
      ]) {
        const r = await queryAs(dash, "pgshop", sql);
        expect(r.status, sql).toBe(400);
      }
      expect(existsSync("/tmp/sp-dash-copied.csv")).toBe(false);
      const count = await queryAs(dash, "pgshop", "select count(*)::int as n from orders");
      expect((JSON.parse(count.body) as { rows: unknown }).rows).toEqual([[2]]);
      const objects = await queryAs(dash, "pgshop", "select count(*)::int as n from pg_largeobject_metadata");
      expect((JSON.parse(objects.body) as { rows: unknown }).rows).toEqual([[0]]);
    });
  },
);
