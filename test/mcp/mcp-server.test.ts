import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { request } from "node:http";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listEndpoints } from "../../src/sage/catalog/index.js";
import { call, httpClient, loadProject, type LoadedProject, startHttpServer, stdioClient, Transcript } from "./mcp-helpers.js";

const READ_TOOLS = [
  "describe_sage_resource",
  "display_schema",
  "execute_sql_query",
  "get_failed_jobs",
  "get_last_trace",
  "get_load_table",
  "get_pipeline_local_state",
  "get_table_schema",
  "get_table_schema_changes",
  "list_pipelines",
  "list_sage_resources",
  "list_tables",
  "secrets_view_redacted",
];

interface ColumnAnswer {
  data_type: string;
  nullable: boolean;
  primary_key?: boolean;
}
interface TableAnswer {
  name: string;
  parent?: string;
  write_disposition: string;
  columns: Record<string, ColumnAnswer>;
}
interface StateAnswer {
  datasetName: string;
  sources: Record<string, { resources: Record<string, { businesses: Record<string, { lastRunStartedAt: string }> }> }>;
}
interface TraceAnswer {
  steps: Array<{ step: string }>;
}
interface ResourceLine {
  name: string;
  child_tables: string[];
  availability: Record<string, string[]>;
}
interface ResourceAnswer {
  money_columns: string[];
  date_columns: string[];
}
interface SqlAnswer {
  columns: string[];
  rows: unknown[][];
  truncated: boolean;
}
interface SchemaChanges {
  current_version: number;
  previous_version: number | null;
  diff: string;
}
interface SecretsView {
  files: Array<{ file: string; exists: boolean; redacted?: string }>;
  keys: Array<{ key: string; secret: boolean; set: boolean; where: string | null }>;
  environment: Array<{ variable: string; value: string }>;
  token_store: Array<{ path: string; exists: boolean }>;
}

/**
 * `sage-pipeline mcp` as an assistant meets it: the built CLI spawned by the SDK's client over
 * stdio and over HTTP, against a pipeline the CLI loaded from the sandbox, with canary secrets
 * configured in every place a secret can be (secrets.toml, config.toml, env, the token store).
 */
describe("sage-pipeline mcp", () => {
  let project: LoadedProject;
  let client: Client;
  const transcript = new Transcript();

  beforeAll(async () => {
    project = await loadProject();
    client = await stdioClient(project.cwd, project.env);
  }, 240_000);

  afterAll(async () => {
    await client.close();
    await project.sb.close();
    rmSync(project.cwd, { recursive: true, force: true });
  });

  it("offers dlt's tools and the Sage ones, and no run tool without --allow-run", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    for (const t of READ_TOOLS) expect(names).toContain(t);
    expect(names).not.toContain("run_pipeline");
    for (const t of tools) expect(t.annotations?.readOnlyHint, t.name).toBe(true);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(["add_resource_or_debug_run"]);
  });

  it("lists pipelines and tables, and describes a table with its keys and parent", async () => {
    expect((await call(client, transcript, "list_pipelines")).json).toEqual([project.pipelineName]);
    const tables = (await call<string[]>(client, transcript, "list_tables", { pipeline_name: project.pipelineName })).json;
    expect(tables).toEqual(expect.arrayContaining(["contacts", "sales_invoices", "sales_invoices__invoice_lines", "tax_rates"]));
    expect(tables.filter((t) => t.startsWith("_dlt_"))).toEqual([]);

    const contacts = (
      await call<TableAnswer>(client, transcript, "get_table_schema", {
        pipeline_name: project.pipelineName,
        table_name: "contacts",
      })
    ).json;
    expect(contacts.name).toBe("contacts");
    expect(contacts.write_disposition).toBe("merge");
    expect(contacts.columns.id).toMatchObject({ data_type: "text", nullable: false, primary_key: true });
    expect(contacts.columns.business_id).toMatchObject({ primary_key: true });
    const lines = (
      await call<TableAnswer>(client, transcript, "get_table_schema", {
        pipeline_name: project.pipelineName,
        table_name: "sales_invoices__invoice_lines",
      })
    ).json;
    expect(lines.parent).toBe("sales_invoices");
    expect(lines.columns._dlt_parent_id).toMatchObject({ data_type: "text" });
    const money = (
      await call<TableAnswer>(client, transcript, "get_table_schema", {
        pipeline_name: project.pipelineName,
        table_name: "sales_invoices",
      })
    ).json;
    expect(money.columns.total_amount).toMatchObject({ data_type: "decimal", precision: 38, scale: 9 });
  });

  it("answers bad arguments with an error naming the fix", async () => {
    const unknown = await call(client, transcript, "list_tables", { pipeline_name: "nope" });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain('no pipeline named "nope"');
    expect(unknown.text).toContain(project.pipelineName);
    const climbing = await call(client, transcript, "get_pipeline_local_state", { pipeline_name: "../data" });
    expect(climbing.isError).toBe(true);
    const table = await call<TableAnswer>(client, transcript, "get_table_schema", {
      pipeline_name: project.pipelineName,
      table_name: "nope",
    });
    expect(table.isError).toBe(true);
    expect(table.text).toContain("list_tables");
    expect((await call(client, transcript, "list_tables", {})).isError).toBe(true);
    expect((await call(client, transcript, "list_tables", { pipeline_name: 42 })).isError).toBe(true);
    const endpoint = await call(client, transcript, "describe_sage_resource", { name: "sales_invoice" });
    expect(endpoint.isError).toBe(true);
    expect(endpoint.text).toContain('"sales_invoices"');
  });

  it("shows the state with its cursors, the last trace, failed jobs and the ER diagram", async () => {
    const state = (
      await call<StateAnswer>(client, transcript, "get_pipeline_local_state", { pipeline_name: project.pipelineName })
    ).json;
    expect(state.datasetName).toBe(project.dataset);
    const biz = project.sb.store.businesses[0]!.id;
    expect(state.sources.sage_accounting?.resources.contacts?.businesses[biz]?.lastRunStartedAt).toMatch(/^\d{4}-/);

    const trace = (await call<TraceAnswer>(client, transcript, "get_last_trace", { pipeline_name: project.pipelineName })).json;
    expect(trace.steps.map((s) => s.step)).toEqual(["sync", "extract", "normalize", "load"]);
    expect((await call(client, transcript, "get_failed_jobs", { pipeline_name: project.pipelineName })).json).toEqual([]);

    const er = (await call(client, transcript, "display_schema", { pipeline_name: project.pipelineName })).text;
    expect(er.startsWith("erDiagram")).toBe(true);
    expect(er).toContain('sales_invoices ||--o{ sales_invoices__invoice_lines : "_dlt_parent_id"');
    expect(er).toMatch(/contacts \{\n(.*\n)*\s+text id PK/);
    const bare = (await call(client, transcript, "display_schema", { pipeline_name: project.pipelineName, hide_columns: true }))
      .text;
    expect(bare).not.toContain("text id");
    expect(bare).toContain("sales_invoices ||--o{ sales_invoices__invoice_lines");
  });

  it("runs SQL on the dataset with unqualified names, and answers as the dataset holds it", async () => {
    const biz = project.sb.store.businesses[0]!.id;
    const q = (sql: string) =>
      call<SqlAnswer>(client, transcript, "execute_sql_query", { pipeline_name: project.pipelineName, sql_select_query: sql });
    const count = await q("SELECT count(*) AS n FROM contacts");
    expect(count.isError, count.text).toBe(false);
    expect(count.json.columns).toEqual(["n"]);
    expect(Number(count.json.rows[0]![0])).toBe(project.sb.store.count(biz, "contacts"));
    const qualified = await q(`SELECT count(*) AS n FROM ${project.dataset}.sales_invoices`);
    expect(Number(qualified.json.rows[0]![0])).toBe(project.sb.store.count(biz, "sales_invoices"));
    const api = project.sb.store.records(biz, "tax_rates") as Array<{ id: string }>;
    const ids = await q("SELECT id FROM tax_rates ORDER BY id");
    expect(ids.json.rows.map((r) => r[0])).toEqual(api.map((r) => r.id).sort());
    const capped = await q("SELECT * FROM range(100000)");
    expect(capped.json.truncated).toBe(true);
    expect(capped.json.rows.length).toBe(500);
    const bad = await q("SELECT nope FROM contacts");
    expect(bad.isError).toBe(true);
    expect(bad.text).toContain("nope");
    expect(
      (await call(client, transcript, "execute_sql_query", { pipeline_name: project.pipelineName, sql_select_query: "" }))
        .isError,
    ).toBe(true);
    expect(
      (await call(client, transcript, "execute_sql_query", { pipeline_name: "nope", sql_select_query: "SELECT 1" })).isError,
    ).toBe(true);

    const loads = (
      await call<Array<{ load_id: string; status: number; schema_name: string }>>(client, transcript, "get_load_table", {
        pipeline_name: project.pipelineName,
      })
    ).json;
    expect(loads.length).toBe(1);
    expect(loads[0]).toMatchObject({ status: 0, schema_name: "sage_accounting" });
    const changes = (
      await call<SchemaChanges>(client, transcript, "get_table_schema_changes", {
        pipeline_name: project.pipelineName,
        table_name: "contacts",
      })
    ).json;
    expect(changes.previous_version).toBeNull();
    expect(changes.diff).toContain('+   "name": "contacts"');
  });

  it("refuses writes, file reads, COPY, ATTACH and extension loads, with the table intact", async () => {
    const biz = project.sb.store.businesses[0]!.id;
    const secretsFile = join(project.cwd, ".dlt", "secrets.toml");
    const out = join(project.cwd, "copied.csv");
    const attempts = [
      "DELETE FROM contacts",
      "DROP TABLE contacts",
      "UPDATE contacts SET name = 'x'",
      "CREATE TABLE stolen AS SELECT 1",
      "INSERT INTO contacts (id) VALUES ('x')",
      `SELECT * FROM read_text('${secretsFile}')`,
      "SELECT * FROM read_text('.dlt/secrets.toml')",
      `SELECT * FROM read_csv('${secretsFile}')`,
      `COPY contacts TO '${out}'`,
      `ATTACH '${join(project.cwd, "other.duckdb")}' AS other`,
      "INSTALL httpfs",
      "LOAD httpfs",
      "SET enable_external_access = true",
      "SELECT 1; DELETE FROM contacts",
    ];
    for (const sql of attempts) {
      const r = await call(client, transcript, "execute_sql_query", {
        pipeline_name: project.pipelineName,
        sql_select_query: sql,
      });
      expect(r.isError, `${sql}: ${r.text}`).toBe(true);
    }
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(project.cwd, "other.duckdb"))).toBe(false);
    const count = await call<SqlAnswer>(client, transcript, "execute_sql_query", {
      pipeline_name: project.pipelineName,
      sql_select_query: "SELECT count(*) FROM contacts",
    });
    expect(Number(count.json.rows[0]![0])).toBe(project.sb.store.count(biz, "contacts"));
  });

  it("lists the 85 Sage endpoints and describes one with the tables it lands in", async () => {
    const all = (await call<ResourceLine[]>(client, transcript, "list_sage_resources")).json;
    expect(all.length).toBe(listEndpoints().length);
    expect(all.length).toBe(85);
    const inv = all.find((r) => r.name === "sales_invoices")!;
    expect(inv).toMatchObject({ incremental: true, deletions: "deleted_since", default: true });
    expect(inv.child_tables).toContain("sales_invoices__invoice_lines");
    expect(inv.availability.start).toContain("gb");
    const one = (await call<ResourceAnswer>(client, transcript, "describe_sage_resource", { name: "sales_invoices" })).json;
    expect(one).toMatchObject({ table: "sales_invoices", primary_key: ["business_id", "id"], write_disposition: "merge" });
    expect(one.money_columns).toContain("total_amount");
    expect(one.date_columns).toContain("date");
  });

  it("shows the config with every secret masked, which keys are set and where", async () => {
    const view = (await call<SecretsView>(client, transcript, "secrets_view_redacted")).json;
    const secrets = view.files.find((f) => f.file === ".dlt/secrets.toml")!;
    expect(secrets.exists).toBe(true);
    expect(secrets.redacted).toContain('client_secret = "***"');
    expect(secrets.redacted).toContain('client_id = "***"');
    expect(secrets.redacted).toContain('credentials = "***"');
    const config = view.files.find((f) => f.file === ".dlt/config.toml")!;
    expect(config.redacted).toContain('password = "***"');
    expect(config.redacted).toContain('host = "127.0.0.1"');
    expect(config.redacted).toContain(project.sb.apiBaseUrl);
    const key = (k: string) => view.keys.find((x) => x.key === k);
    expect(key("sources.sage_accounting_source.client_secret")).toMatchObject({
      secret: true,
      set: true,
      where: ".dlt/secrets.toml:3",
    });
    expect(key("sources.sage_accounting_source.refresh_token")).toMatchObject({
      set: true,
      where: "environment variable SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN",
    });
    expect(key("sources.sage_accounting_source.businesses")).toMatchObject({ set: false, where: null });
    expect(view.environment).toContainEqual({ variable: "SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN", value: "***" });
    expect(view.token_store[0]).toMatchObject({ exists: true });
  });

  it("guides an agent through adding a resource and debugging a run", async () => {
    const add = await client.getPrompt({ name: "add_resource_or_debug_run", arguments: { task: "add_resource" } });
    transcript.add(add);
    const text = JSON.stringify(add.messages);
    expect(text).toContain("describe_sage_resource");
    expect(text).toContain("never open .dlt/secrets.toml");
    const debug = await client.getPrompt({
      name: "add_resource_or_debug_run",
      arguments: { task: "debug_failed_run", pipeline_name: project.pipelineName },
    });
    expect(JSON.stringify(debug.messages)).toContain("get_failed_jobs");
  });

  describe("over streamable HTTP on 127.0.0.1", () => {
    let server: { url: string; child: ChildProcess };
    let http: Client;
    beforeAll(async () => {
      server = await startHttpServer(project.cwd, project.env);
      http = await httpClient(server.url);
    }, 60_000);
    afterAll(async () => {
      await http.close();
      server.child.kill("SIGTERM");
    });

    it("answers the same tools", async () => {
      expect((await call(http, transcript, "list_pipelines")).json).toEqual([project.pipelineName]);
      const tables = (await call<string[]>(http, transcript, "list_tables", { pipeline_name: project.pipelineName })).json;
      expect(tables).toContain("contacts");
      expect((await call(http, transcript, "list_tables", { pipeline_name: "nope" })).isError).toBe(true);
      transcript.add(await call(http, transcript, "secrets_view_redacted"));
    });

    it("refuses foreign Host and Origin headers (DNS rebinding, cross-site pages)", async () => {
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
      const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
      const port = new URL(server.url).port;
      // fetch cannot set Host; a rebinding page's request carries its own name there.
      const rebinding = await new Promise<number>((resolve, reject) => {
        const req = request(server.url, { method: "POST", headers: { ...headers, host: `evil.example:${port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end(body);
      });
      expect(rebinding).toBe(403);
      const foreign = await fetch(server.url, { method: "POST", body, headers: { ...headers, origin: "http://evil.example" } });
      expect(foreign.status).toBe(403);
      const own = await fetch(server.url, { method: "POST", body, headers: { ...headers, origin: `http://127.0.0.1:${port}` } });
      expect(own.status).not.toBe(403);
      expect((await fetch(server.url, { method: "GET" })).status).toBe(405);
    });
  });

  describe("with --allow-run", () => {
    let runner: Client;
    beforeAll(async () => {
      runner = await stdioClient(project.cwd, project.env, ["--allow-run"]);
    });
    afterAll(async () => runner.close());

    it("offers run_pipeline for named resources only, and runs it like `run --resources`", async () => {
      const { tools } = await runner.listTools();
      const run = tools.find((t) => t.name === "run_pipeline")!;
      expect(run.annotations?.readOnlyHint).toBe(false);
      expect(Object.keys(run.inputSchema.properties ?? {}).sort()).toEqual(["pipeline_name", "resources", "source"]);
      expect(
        (await call(runner, transcript, "run_pipeline", { pipeline_name: project.pipelineName, resources: [] })).isError,
      ).toBe(true);
      const flag = await call(runner, transcript, "run_pipeline", {
        pipeline_name: project.pipelineName,
        resources: ["--full-refresh"],
      });
      expect(flag.isError).toBe(true);
      const modulePath = await call(runner, transcript, "run_pipeline", {
        pipeline_name: project.pipelineName,
        resources: ["contacts"],
        source: "./evil.mjs",
      });
      expect(modulePath.isError).toBe(true);
      const unknown = await call(runner, transcript, "run_pipeline", {
        pipeline_name: project.pipelineName,
        resources: ["sales_invoice"],
      });
      expect(unknown.isError).toBe(true);
      expect(unknown.text).toContain("sales_invoices");

      const ok = await call<{ load_info: { pipeline: { pipeline_name: string } } }>(runner, transcript, "run_pipeline", {
        pipeline_name: project.pipelineName,
        resources: ["ledger_accounts"],
      });
      expect(ok.isError, ok.text).toBe(false);
      const tables = (await call<string[]>(runner, transcript, "list_tables", { pipeline_name: project.pipelineName })).json;
      expect(tables).toEqual(expect.arrayContaining(["ledger_accounts", "contacts"]));
      const changes = (
        await call<SchemaChanges>(runner, transcript, "get_table_schema_changes", {
          pipeline_name: project.pipelineName,
          table_name: "ledger_accounts",
        })
      ).json;
      expect(changes.previous_version).not.toBeNull();
      expect(changes.current_version).toBeGreaterThan(changes.previous_version!);
      expect(changes.diff.split("\n").every((l) => l.startsWith("+ "))).toBe(true);
      const same = (
        await call<SchemaChanges>(runner, transcript, "get_table_schema_changes", {
          pipeline_name: project.pipelineName,
          table_name: "contacts",
        })
      ).json;
      expect(same.diff.split("\n").every((l) => l.startsWith("  "))).toBe(true);
      const loads = (await call<unknown[]>(runner, transcript, "get_load_table", { pipeline_name: project.pipelineName })).json;
      expect(loads.length).toBe(2);
    });
  });

  it("never answers with a configured secret", () => {
    expect(transcript.texts.length).toBeGreaterThan(20);
    expect(transcript.leaks(project.canaries)).toEqual([]);
  });
});
