import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ConfigResolver } from "../config/resolver.js";
import type { ConfigSpec } from "../config/spec.js";
import { registerGuidePrompt } from "./guide-prompt.js";
import { registerPipelineTools } from "./pipeline-tools.js";
import { registerRunTool } from "./run-tool.js";
import { registerSageTools } from "./sage-tools.js";
import { registerSqlTools } from "./sql-tools.js";
import { Workspace } from "./workspace.js";

export interface McpSetup {
  /** The folder the server started in: its `.dlt/` config, as `run` reads it. */
  cwd: string;
  pipelinesDir: string;
  config: ConfigResolver;
  /** Every declared config spec (the CLI's CONFIG_SPECS): which keys exist and which are secret. */
  specs: readonly ConfigSpec[];
  version: string;
  /** `--allow-run`: the CLI entry `run_pipeline` starts. Without it the tool does not exist. */
  allowRun?: { cliEntry: string };
}

/** One MCP server over the workspace's pipelines; every tool only reads unless `allowRun`. */
export function createMcpServer(setup: McpSetup): McpServer {
  const server = new McpServer(
    { name: "sage-pipeline", version: setup.version },
    {
      instructions:
        "Inspect Sage pipelines: list_pipelines, list_tables, get_table_schema, execute_sql_query (read-only), get_last_trace. " +
        "Never read .dlt/secrets.toml or the token store: call secrets_view_redacted.",
    },
  );
  const ws = new Workspace(setup.pipelinesDir, setup.config);
  registerPipelineTools(server, ws);
  registerSqlTools(server, ws);
  registerSageTools(server, setup);
  if (setup.allowRun) registerRunTool(server, ws, { ...setup, cliEntry: setup.allowRun.cliEntry });
  registerGuidePrompt(server, setup.allowRun !== undefined);
  return server;
}
