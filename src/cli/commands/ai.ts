import { join } from "node:path";
import { type Command, Option } from "commander";
import { dataDir } from "../../config/providers.js";
import { AGENTS, type Agent } from "../../ai/agents.js";
import { aiInit } from "../../ai/init.js";
import { tokenStorePaths } from "../../mcp/known-secrets.js";
import { CONFIG_SPECS, cliConfig } from "../config.js";

/** `sage-pipeline ai init --agent claude|cursor|codex`: set this folder up for an AI assistant. */
export function registerAi(program: Command): void {
  const ai = program.command("ai").description("set this project up for an AI assistant (Claude Code, Cursor, Codex)");
  ai.command("init")
    .description("write the MCP registration, project rules, a secrets skill and ignore entries for an agent")
    .addOption(new Option("--agent <agent>", "the assistant").choices(AGENTS).makeOptionMandatory())
    .option("--force", "replace sage-pipeline's parts even where they were edited")
    .action((f: { agent: Agent; force?: boolean }) => {
      const cwd = process.cwd();
      const config = cliConfig();
      const results = aiInit(
        f.agent,
        {
          cwd,
          commands: program.commands.map((c) => ({ name: c.name(), description: c.description() })),
          specs: CONFIG_SPECS,
          secretFiles: [join(cwd, ".dlt", "secrets.toml"), join(dataDir(), "secrets.toml"), ...tokenStorePaths(config)],
        },
        f.force === true,
      );
      for (const r of results) process.stdout.write(`${r.outcome.padEnd(9)} ${r.file}\n`);
      process.stdout.write(
        `The assistant starts the server with: npx --no-install sage-pipeline mcp (install sage-accounting-pipeline in this project).\n`,
      );
    });
}
