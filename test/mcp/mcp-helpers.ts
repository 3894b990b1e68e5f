import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { BIN, runCli } from "../e2e/cli-helpers.js";

export { BIN };

/** A project folder with a pipeline loaded from the sandbox, and canary secrets configured. */
export interface LoadedProject {
  sb: Sandbox;
  cwd: string;
  env: Record<string, string>;
  /** Secret values that must never appear in any answer. */
  canaries: string[];
  pipelineName: string;
  dataset: string;
}

export const PG_PASSWORD = "pg-canary-password-5d1c";
export const CONFIG_PASSWORD = "cfg-canary-password-8e2a";

export async function loadProject(resources = "contacts,sales_invoices,tax_rates"): Promise<LoadedProject> {
  const sb = await startSandbox({ port: 0, businesses: 1, scale: 0.02, seed: 11 });
  const cwd = mkdtempSync(join(tmpdir(), "sp-mcp-"));
  mkdirSync(join(cwd, ".dlt"));
  const refreshToken = sb.issueTokens("readonly").refresh_token;
  writeFileSync(
    join(cwd, ".dlt", "secrets.toml"),
    [
      "[sources.sage_accounting_source]",
      `client_id = "${sb.options.clientId}"`,
      `client_secret = "${sb.options.clientSecret}"`,
      "",
      "[destination.postgres]",
      `credentials = "postgresql://loader:${PG_PASSWORD}@127.0.0.1:5432/books"`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  writeFileSync(
    join(cwd, ".dlt", "config.toml"),
    [
      "[sources.sage_accounting_source]",
      `base_url = "${sb.apiBaseUrl}"`,
      `token_url = "${sb.tokenUrl}"`,
      "",
      "[destination.postgres.credentials]",
      'host = "127.0.0.1"',
      `password = "${CONFIG_PASSWORD}"`,
      "",
    ].join("\n"),
  );
  const env = {
    SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
    SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN: refreshToken,
  };
  const r = await runCli(["run", "--resources", resources, "--no-progress"], cwd, env);
  if (r.status !== 0) throw new Error(`run failed: ${r.stderr}`);
  const tokens = JSON.parse(readFileSync(join(cwd, "data", "tokens", "sage_accounting.json"), "utf8")) as {
    accessToken: string;
    refreshToken: string;
  };
  return {
    sb,
    cwd,
    env,
    canaries: [sb.options.clientSecret, refreshToken, tokens.accessToken, tokens.refreshToken, PG_PASSWORD, CONFIG_PASSWORD],
    pipelineName: "sage_accounting_pipeline",
    dataset: "sage_accounting_data",
  };
}

/** Every text an MCP client got, to search for canaries. */
export class Transcript {
  readonly texts: string[] = [];

  add(value: unknown): void {
    this.texts.push(JSON.stringify(value));
  }

  leaks(canaries: readonly string[]): string[] {
    return canaries.filter((c) => this.texts.some((t) => t.includes(c)));
  }
}

export async function stdioClient(cwd: string, env: Record<string, string>, args: string[] = []): Promise<Client> {
  const client = new Client({ name: "sage-pipeline-test", version: "1" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, "mcp", ...args],
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env },
      stderr: "pipe",
    }),
  );
  return client;
}

/** `sage-pipeline mcp --http --port 0`; resolves with the URL it prints. */
export function startHttpServer(cwd: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "mcp", "--http", "--port", "0"], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      const m = /MCP server on (http:\/\/\S+)/.exec(stderr);
      if (m) resolve({ url: m[1]!, child });
    });
    child.on("exit", (code) => {
      reject(new Error(`mcp --http exited ${String(code)}: ${stderr}`));
    });
  });
}

export async function httpClient(url: string): Promise<Client> {
  const client = new Client({ name: "sage-pipeline-test", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** Call a tool; returns the parsed JSON answer (or the text), and whether it was an error. */
export async function call<T = unknown>(
  client: Client,
  transcript: Transcript,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ isError: boolean; text: string; json: T }> {
  let result: CallToolResult;
  try {
    result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  } catch (err) {
    // Argument validation may answer as a protocol error instead of a tool error.
    transcript.add(String(err));
    return { isError: true, text: String(err), json: undefined as T };
  }
  transcript.add(result);
  const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { isError: result.isError === true, text, json: json as T };
}
