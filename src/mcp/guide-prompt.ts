import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

const ADD_RESOURCE = `Goal: add a Sage resource to the pipeline.
1. Call list_sage_resources and pick the endpoint (check its availability for the business's country and plan).
2. Call describe_sage_resource(name): the table it lands in, its child tables, money and date columns, incremental and deletion support.
3. Call secrets_view_redacted to see which keys are set and where (never open .dlt/secrets.toml or the token store).
4. Add the name to [sources.sage_accounting_source] resources in .dlt/config.toml (or pass --resources to run).
5. Ask the user to run \`sage-pipeline run --resources <name>\`{allow_run}.
6. Check the result with list_tables, get_table_schema and execute_sql_query (for example a count per business_id).`;

const DEBUG_RUN = `Goal: find why the last run failed, and what to change.
1. Call get_last_trace(pipeline_name): the failing step, its error and hint, rows per table.
2. Call get_failed_jobs(pipeline_name): load jobs the destination refused, with its message.
3. Call get_pipeline_local_state(pipeline_name): incremental cursors per resource and business (a cursor that stayed behind marks an incomplete read).
4. Call secrets_view_redacted for which keys are set and from where (a missing client_secret, a typo'd key); never read secrets.toml or the token store yourself.
5. For data questions use execute_sql_query (read-only; unqualified table names are the pipeline's dataset) and get_table_schema_changes.
6. Tell the user the cause and the fix: which key in which file, or which command (\`sage-pipeline auth login\` for expired logins).`;

/** One prompt that walks an agent through the two common jobs with this server's tools. */
export function registerGuidePrompt(server: McpServer, allowRun: boolean): void {
  server.registerPrompt(
    "add_resource_or_debug_run",
    {
      description: "Guide: add a Sage resource to the pipeline, or find why a run failed.",
      argsSchema: {
        task: z.enum(["add_resource", "debug_failed_run"]).describe("add_resource | debug_failed_run"),
        pipeline_name: z.string().optional().describe("the pipeline (see list_pipelines)"),
      },
    },
    ({ task, pipeline_name }) => {
      const runHint = allowRun ? ", or call run_pipeline with that resource" : "";
      const steps = (task === "add_resource" ? ADD_RESOURCE : DEBUG_RUN).replace("{allow_run}", runHint);
      const target = pipeline_name ? `\nThe pipeline is ${pipeline_name}.` : "\nStart with list_pipelines.";
      return { messages: [{ role: "user", content: { type: "text", text: `${steps}${target}` } }] };
    },
  );
}
