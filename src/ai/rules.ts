import type { ConfigSpec } from "../config/spec.js";
import { renderConfigTables } from "../config/templates.js";
import {
  C_ID,
  C_LIST_IDX,
  C_LOAD_ID,
  C_PARENT_ID,
  C_ROOT_ID,
  LOADS_TABLE,
  STATE_TABLE,
  VERSION_TABLE,
} from "../schema/system-tables.js";
import { SERVER_NAME } from "./mcp-registration.js";

/** A CLI command as `--help` lists it. */
export interface CommandLine {
  name: string;
  description: string;
}

export const SECRETS_RULE = `Never open, read, print, grep or copy \`.dlt/secrets.toml\`, \`~/.sage-pipeline/secrets.toml\` or the token store (\`~/.sage-pipeline/tokens/\`): call the \`secrets_view_redacted\` tool of the \`${SERVER_NAME}\` MCP server instead. It shows every config file with secret values as \`***\`, and which keys are set and where.`;

/**
 * The project rules every agent gets (AGENTS.md, CLAUDE.md, a Cursor rule): the commands, the
 * config keys and the table layout, generated from the CLI and the config specs so they cannot
 * drift from the code.
 */
export function projectRules(commands: readonly CommandLine[], specs: readonly ConfigSpec[]): string {
  return [
    "## sage-pipeline (Sage Accounting → DuckDB / Postgres / files)",
    "",
    "This project loads Sage Accounting data with `sage-pipeline`, a TypeScript take on dlt's pipeline model.",
    "",
    "### Secrets",
    "",
    SECRETS_RULE,
    "To change a secret, tell the user which key to set in which file (or environment variable); never write the value yourself.",
    "",
    `### Inspecting pipelines: the \`${SERVER_NAME}\` MCP server`,
    "",
    "Prefer its tools over opening files: `list_pipelines`, `list_tables`, `get_table_schema`, `execute_sql_query` (read-only, unqualified table names are the pipeline's dataset), `get_load_table`, `get_pipeline_local_state`, `get_table_schema_changes`, `display_schema`, `get_last_trace`, `get_failed_jobs`, `list_sage_resources`, `describe_sage_resource`, `secrets_view_redacted`. The prompt `add_resource_or_debug_run` walks through the two common jobs.",
    "",
    "### Commands",
    "",
    ...commands.map((c) => `* \`sage-pipeline ${c.name}\`: ${c.description}`),
    "",
    "### Tables",
    "",
    "* Each Sage resource (endpoint) lands in a table of its name (`sales_invoices`), keyed by `(business_id, id)`, written with merge: a later run updates rows in place and adds new ones.",
    `* Lists inside a record become child tables \`<parent>__<field>\` (\`sales_invoices__invoice_lines\`): \`${C_PARENT_ID}\` points at the parent's \`${C_ID}\`, \`${C_ROOT_ID}\` at the root row's, \`${C_LIST_IDX}\` is the position in the list.`,
    `* Nested objects are flattened into columns with \`__\` (\`contact__id\`, \`contact__displayed_as\`); money is decimal(38,9), dates are dates, times are UTC timestamps; deleted records keep \`deleted_at\`.`,
    `* \`${C_LOAD_ID}\` names the load; \`${LOADS_TABLE}\`, \`${VERSION_TABLE}\` and \`${STATE_TABLE}\` are the pipeline's bookkeeping, as in dlt.`,
    "",
    "### Configuration keys",
    "",
    "Config goes to `.dlt/config.toml`, secrets to `.dlt/secrets.toml`; environment variables (`SECTION__KEY`, upper case) win over both.",
    "",
    renderConfigTables(specs),
  ].join("\n");
}

/** The secrets skill: how an agent handles credentials in this project without seeing them. */
export function secretsSkill(): string {
  return [
    "# Sage pipeline secrets",
    "",
    SECRETS_RULE,
    "",
    "## When a run fails on credentials",
    "",
    "1. Call `secrets_view_redacted`: it lists each declared key with `set` and `where` (a file and line, or an environment variable).",
    "2. A missing `client_id` / `client_secret`: ask the user to add them under `[sources.sage_accounting_source]` in `.dlt/secrets.toml` (`sage-pipeline init` writes a template).",
    "3. An expired or refused login (`invalid_grant`): ask the user to run `sage-pipeline auth login`; it writes the token store itself.",
    "4. Destination passwords go to `[destination.postgres] credentials` in `.dlt/secrets.toml`, never into config.toml or code.",
    "",
    "## Never",
    "",
    "* read or print secrets.toml, the token store or environment variables holding secrets;",
    "* paste a secret value into a file, a command line, a commit or a chat message;",
    "* commit `.dlt/secrets.toml` (it is in .gitignore).",
  ].join("\n");
}
