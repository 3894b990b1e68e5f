import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { redactObject } from "../util/redact.js";
import { dataTables, dltTable, mermaidSchema } from "./schema-views.js";
import { addTool } from "./tools.js";
import type { Workspace } from "./workspace.js";

export const pipelineName = z.string().min(1).describe("a name from list_pipelines");
export const tableName = z.string().min(1).describe("a name from list_tables");

/** dlt-mcp's tools over the working dirs: names, arguments and answers as dlt's `core.py` has them. */
export function registerPipelineTools(server: McpServer, ws: Workspace): void {
  addTool(server, "list_pipelines", "List all available pipelines. Each pipeline has several tables.", {}, () =>
    ws.pipelineNames(),
  );

  addTool(
    server,
    "list_tables",
    "List all available tables in the specified pipeline (data tables of its default schema).",
    { pipeline_name: pipelineName },
    ({ pipeline_name }) => dataTables(ws.defaultSchema(pipeline_name)).map((t) => t.name),
  );

  addTool(
    server,
    "get_table_schema",
    "Get the schema of the specified table: columns with data types, nullability, keys, and the parent table of child tables.",
    { pipeline_name: pipelineName, table_name: tableName },
    ({ pipeline_name, table_name }) => dltTable(ws.table(pipeline_name, table_name)),
  );

  addTool(
    server,
    "get_pipeline_local_state",
    "Retrieve the pipeline state information. Includes: incremental cursors, resource state, source state.",
    { pipeline_name: pipelineName },
    ({ pipeline_name }) => redactObject(ws.state(pipeline_name)),
  );

  addTool(
    server,
    "display_schema",
    "A Mermaid ER diagram of the pipeline's default schema, with the links from parent to child tables.",
    { pipeline_name: pipelineName, hide_columns: z.boolean().optional().describe("only tables and links") },
    ({ pipeline_name, hide_columns }) => mermaidSchema(ws.defaultSchema(pipeline_name), hide_columns ?? false),
  );

  addTool(
    server,
    "get_last_trace",
    "The last run's trace: its steps (sync, extract, normalize, load) with start and end times, errors and rows per table.",
    { pipeline_name: pipelineName },
    ({ pipeline_name }) => redactObject(ws.workingDir(pipeline_name).readTrace() ?? null),
  );

  addTool(
    server,
    "get_failed_jobs",
    "The failed load jobs of pending load packages, with the destination's error message.",
    { pipeline_name: pipelineName },
    ({ pipeline_name }) => ws.failedJobs(pipeline_name),
  );
}
