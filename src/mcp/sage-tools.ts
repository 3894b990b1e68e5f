import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ConfigResolver } from "../config/resolver.js";
import type { ConfigSpec } from "../config/spec.js";
import { describeSageResource, listSageResources } from "./sage-resources.js";
import { secretsViewRedacted } from "./secrets-view.js";
import { addTool } from "./tools.js";

/** The Sage catalog and the redacted view of this folder's configuration. */
export function registerSageTools(
  server: McpServer,
  setup: { cwd: string; specs: readonly ConfigSpec[]; config: ConfigResolver },
): void {
  addTool(
    server,
    "list_sage_resources",
    "The Sage Accounting v3.1 endpoints a pipeline can load: filters, incremental and deletion support, availability per plan and country, child tables, and which are loaded by default.",
    {},
    () => listSageResources(),
  );
  addTool(
    server,
    "describe_sage_resource",
    "One Sage endpoint in detail: the table it lands in, primary key, child tables, money/date/timestamp columns, references, filters, availability.",
    { name: z.string().min(1).describe("an endpoint name from list_sage_resources, e.g. sales_invoices") },
    ({ name }) => describeSageResource(name),
  );
  addTool(
    server,
    "secrets_view_redacted",
    "The config and secrets files this folder's runs read, with every secret value replaced by ***; every declared key with whether it is set and where; config variables of the environment (secrets masked); where the token store is. Use this instead of opening .dlt/secrets.toml.",
    {},
    () => secretsViewRedacted(setup.cwd, setup.specs, setup.config),
  );
}
