import { spawn } from "node:child_process";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ConfigResolver } from "../config/resolver.js";
import type { ConfigSpec } from "../config/spec.js";
import { ConfigError } from "../util/errors.js";
import { registerKnownSecrets } from "./known-secrets.js";
import { addTool } from "./tools.js";
import type { Workspace } from "./workspace.js";

/** The sources `run` knows by name; a path to a module (arbitrary code) is never accepted here. */
export const RUNNABLE_SOURCES = ["sage_accounting", "sage_one_za"] as const;

const NAME = /^[a-z][a-z0-9_]*$/;

/** Run the CLI's `run` in the server's folder and environment; never through a shell. */
function runCli(
  cliEntry: string,
  cwd: string,
  args: string[],
): Promise<{ exit_code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ exit_code: code, stdout, stderr: stderr.slice(-8000) });
    });
  });
}

/**
 * `run_pipeline`, only with `--allow-run`: `sage-pipeline run --resources <names>` for a built-in
 * source, as the user would type it in this folder (same config, same token store). Nothing else
 * a run can take (a module path, --full-refresh, a destination) is offered.
 */
export function registerRunTool(
  server: McpServer,
  ws: Workspace,
  setup: { cwd: string; cliEntry: string; specs: readonly ConfigSpec[]; config: ConfigResolver },
): void {
  addTool(
    server,
    "run_pipeline",
    "Run the pipeline for the named resources (sage-pipeline run --resources ...): extracts from Sage and loads into the pipeline's destination. Returns the load info.",
    {
      pipeline_name: z.string().regex(NAME).describe("the pipeline to run (an existing one, or a new name)"),
      resources: z.array(z.string().regex(NAME)).min(1).describe('resource names, e.g. ["contacts", "sales_invoices"]'),
      source: z.enum(RUNNABLE_SOURCES).optional().describe("default sage_accounting"),
    },
    async ({ pipeline_name, resources, source }) => {
      const args = ["run", source ?? "sage_accounting", "--pipeline-name", pipeline_name, "--resources", resources.join(",")];
      if (ws.pipelineNames().includes(pipeline_name)) {
        const dataset = ws.workingDir(pipeline_name).readState()?.datasetName;
        if (dataset !== undefined) args.push("--dataset-name", dataset);
      }
      args.push("--json", "--no-progress");
      const r = await runCli(setup.cliEntry, setup.cwd, args);
      // The run may have rotated the tokens in the store: the scrubber learns the new ones.
      registerKnownSecrets(setup.cwd, setup.specs, setup.config);
      if (r.exit_code !== 0) throw new ConfigError(`run exited ${String(r.exit_code)}: ${r.stderr.trim()}`);
      return { load_info: JSON.parse(r.stdout) as unknown, warnings: r.stderr.trim() };
    },
    false,
  );
}
