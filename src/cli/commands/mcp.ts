import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { McpSetup } from "../../mcp/index.js";
import { resolvePipelinesDir } from "../../pipeline/config.js";
import { ConfigError } from "../../util/errors.js";
import { CONFIG_SPECS, cliConfig } from "../config.js";
import { packageVersion } from "../version.js";

function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once("SIGINT", () => {
      resolve();
    });
    process.once("SIGTERM", () => {
      resolve();
    });
  });
}

/**
 * `sage-pipeline mcp [--http [--port N]] [--allow-run]`: an MCP server over the pipelines of the
 * data dir with this folder's config, like `run`. Read-only unless `--allow-run`.
 */
export function registerMcp(program: Command): void {
  program
    .command("mcp")
    .description("serve the local pipelines to an AI assistant over MCP (stdio, or --http on 127.0.0.1); read-only")
    .option("--http", "streamable HTTP on 127.0.0.1 instead of stdio")
    .option("--port <n>", "port for --http", "8766")
    .option("--allow-run", "also offer run_pipeline (sage-pipeline run --resources ...) to the assistant")
    .action(async (f: { http?: boolean; port: string; allowRun?: boolean }) => {
      const port = Number(f.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new ConfigError(`--port must be a port number, got ${f.port}`, { hint: "for example --port 8766" });
      }
      const config = cliConfig();
      // Loaded here, not at start-up: every other command would pay for the SDK's import.
      const { createMcpServer, registerKnownSecrets, startMcpHttp } = await import("../../mcp/index.js");
      const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
      const setup: McpSetup = {
        cwd: process.cwd(),
        pipelinesDir: resolvePipelinesDir(config),
        config,
        specs: CONFIG_SPECS,
        version: packageVersion(),
        ...(f.allowRun ? { allowRun: { cliEntry: fileURLToPath(new URL("../main.js", import.meta.url)) } } : {}),
      };
      registerKnownSecrets(setup.cwd, setup.specs, config);
      if (f.http) {
        const http = await startMcpHttp(setup, port);
        process.stderr.write(`MCP server on ${http.url} (Ctrl-C stops)\n`);
        await untilStopped();
        await http.close();
        return;
      }
      const server = createMcpServer(setup);
      const transport = new StdioServerTransport();
      const closed = new Promise<void>((resolve) => {
        transport.onclose = resolve;
        process.stdin.once("end", resolve);
      });
      await server.connect(transport);
      await Promise.race([closed, untilStopped()]);
      await server.close();
    });
}
