import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { afterAll, describe, expect, it } from "vitest";
import { AGENTS, type Agent, SKILL_NAME } from "../../src/ai/agents.js";
import { aiInit } from "../../src/ai/init.js";
import { SERVER_COMMAND, SERVER_NAME } from "../../src/ai/mcp-registration.js";
import { CONFIG_SPECS } from "../../src/cli/config.js";
import { runCli } from "../e2e/cli-helpers.js";

const dirs: string[] = [];
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "sp-ai-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const input = (cwd: string) => ({
  cwd,
  commands: [
    { name: "run", description: "extract, normalize and load a source" },
    { name: "mcp", description: "serve the local pipelines over MCP" },
  ],
  specs: CONFIG_SPECS,
  secretFiles: [join(cwd, ".dlt", "secrets.toml"), join(cwd, "data", "tokens", "sage_accounting.json")],
});

const read = (cwd: string, file: string) => readFileSync(join(cwd, file), "utf8");

interface McpJson {
  mcpServers: Record<string, { command: string; args: string[] }>;
}

/** Where each agent's registration is and how it reads. */
function registration(agent: Agent, cwd: string): { command: string; args: string[] } | undefined {
  if (agent === "codex") {
    const toml = parseToml(read(cwd, ".codex/config.toml")) as {
      mcp_servers: Record<string, { command: string; args: string[] }>;
    };
    return toml.mcp_servers[SERVER_NAME];
  }
  const file = agent === "claude" ? ".mcp.json" : ".cursor/mcp.json";
  return (JSON.parse(read(cwd, file)) as McpJson).mcpServers[SERVER_NAME];
}

describe("sage-pipeline ai init", () => {
  it.each(AGENTS)("%s: a registration that parses and names the server, rules, a skill, ignore entries; idempotent", (agent) => {
    const cwd = project();
    const first = aiInit(agent, input(cwd), false);
    expect(first.every((r) => r.outcome === "created")).toBe(true);
    expect(registration(agent, cwd)).toMatchObject({ command: SERVER_COMMAND.command, args: [...SERVER_COMMAND.args] });

    const agents = read(cwd, "AGENTS.md");
    expect(agents).toContain("secrets_view_redacted");
    expect(agents).toContain("Never open, read, print");
    expect(agents).toContain("`sage-pipeline run`");
    expect(agents).toContain("`client_secret`"); // generated from the specs
    expect(agents).toContain("sales_invoices__invoice_lines");
    const gitignore = read(cwd, ".gitignore").split("\n");
    expect(gitignore).toContain(".dlt/secrets.toml");
    expect(gitignore).toContain("data/tokens/sage_accounting.json");

    const skill =
      agent === "claude"
        ? read(cwd, `.claude/skills/${SKILL_NAME}/SKILL.md`)
        : agent === "codex"
          ? read(cwd, `.agents/skills/${SKILL_NAME}/SKILL.md`)
          : read(cwd, `.cursor/rules/${SKILL_NAME}.mdc`);
    expect(skill.startsWith("---\n")).toBe(true);
    expect(skill).toContain("secrets_view_redacted");
    if (agent === "claude") {
      expect(read(cwd, "CLAUDE.md")).toContain("@AGENTS.md");
      const settings = JSON.parse(read(cwd, ".claude/settings.json")) as { permissions: { deny: string[] } };
      expect(settings.permissions.deny).toEqual(
        expect.arrayContaining(["Read(./.dlt/secrets.toml)", "Read(./data/tokens/sage_accounting.json)"]),
      );
    }
    if (agent === "cursor") {
      expect(read(cwd, ".cursor/rules/sage-pipeline.mdc")).toContain("alwaysApply: true");
      expect(read(cwd, ".cursorignore").split("\n")).toContain(".dlt/secrets.toml");
    }

    const again = aiInit(agent, input(cwd), false);
    expect(again.every((r) => r.outcome === "unchanged")).toBe(true);
  });

  it("keeps what the user has: other servers, other rules, their own ignore lines", () => {
    const cwd = project();
    writeFileSync(join(cwd, ".mcp.json"), JSON.stringify({ mcpServers: { other: { command: "other-server" } } }));
    writeFileSync(join(cwd, "AGENTS.md"), "# My project\n\nUse tabs.\n");
    writeFileSync(join(cwd, ".gitignore"), "node_modules/\n");
    mkdirSync(join(cwd, ".claude"));
    writeFileSync(
      join(cwd, ".claude", "settings.json"),
      JSON.stringify({ permissions: { allow: ["Bash(npm test)"], deny: ["Read(./.env)"] } }),
    );
    aiInit("claude", input(cwd), false);
    const mcp = JSON.parse(read(cwd, ".mcp.json")) as McpJson;
    expect(Object.keys(mcp.mcpServers).sort()).toEqual(["other", SERVER_NAME]);
    expect(read(cwd, "AGENTS.md").startsWith("# My project\n\nUse tabs.\n")).toBe(true);
    expect(read(cwd, ".gitignore").startsWith("node_modules/\n")).toBe(true);
    const settings = JSON.parse(read(cwd, ".claude/settings.json")) as { permissions: { allow: string[]; deny: string[] } };
    expect(settings.permissions.allow).toEqual(["Bash(npm test)"]);
    expect(settings.permissions.deny[0]).toBe("Read(./.env)");
    expect(aiInit("claude", input(cwd), false).every((r) => r.outcome === "unchanged")).toBe(true);
  });

  it("refuses to overwrite a user's edits without --force, writing nothing; --force replaces only our parts", () => {
    const cwd = project();
    aiInit("codex", input(cwd), false);
    const edited = read(cwd, "AGENTS.md").replace("Never open, read, print", "Feel free to read");
    writeFileSync(join(cwd, "AGENTS.md"), `Intro by the user.\n\n${edited}`);
    const toml = read(cwd, ".codex/config.toml").replace('"--no-install", ', "");
    writeFileSync(join(cwd, ".codex/config.toml"), `# my codex settings\nmodel = "o3"\n\n${toml}`);
    expect(() => aiInit("codex", input(cwd), false)).toThrow(
      /AGENTS\.md \(its sage-pipeline block was edited\).*\.codex\/config\.toml/,
    );
    expect(read(cwd, "AGENTS.md")).toContain("Feel free to read");

    aiInit("codex", input(cwd), true);
    expect(read(cwd, "AGENTS.md").startsWith("Intro by the user.\n\n")).toBe(true);
    expect(read(cwd, "AGENTS.md")).toContain("Never open, read, print");
    const codex = read(cwd, ".codex/config.toml");
    expect(codex).toContain('# my codex settings\nmodel = "o3"');
    expect(registration("codex", cwd)).toMatchObject({ args: [...SERVER_COMMAND.args] });
    expect(aiInit("codex", input(cwd), false).every((r) => r.outcome === "unchanged")).toBe(true);
  });

  it("a skill file the user wrote is theirs; broken JSON is named", () => {
    const cwd = project();
    mkdirSync(join(cwd, ".claude", "skills", SKILL_NAME), { recursive: true });
    writeFileSync(join(cwd, ".claude", "skills", SKILL_NAME, "SKILL.md"), "my own skill\n");
    writeFileSync(join(cwd, ".mcp.json"), "{ not json");
    expect(() => aiInit("claude", input(cwd), false)).toThrow(/SKILL\.md \(it exists and was not written by sage-pipeline\)/);
    expect(() => aiInit("claude", input(cwd), false)).toThrow(/\.mcp\.json is not a valid JSON object/);
  });

  it("through the CLI: exit 0, names the files, the rules list the CLI's commands", async () => {
    const cwd = project();
    const r = await runCli(["ai", "init", "--agent", "cursor"], cwd, { SAGE_PIPELINE_DATA_DIR: join(cwd, "data") });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/created\s+\.cursor\/mcp\.json/);
    expect(read(cwd, "AGENTS.md")).toContain("`sage-pipeline ai`");
    expect(registration("cursor", cwd)).toBeDefined();
  });
});
