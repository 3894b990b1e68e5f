import { homedir } from "node:os";
import { isAbsolute, relative, sep } from "node:path";
import type { ConfigSpec } from "../config/spec.js";
import { type Merge, mergeManaged } from "./managed-text.js";
import { mergeClaudeDeny, mergeIgnoreLines } from "./ignore-entries.js";
import { mergeCodexToml, mergeMcpJson, SERVER_NAME } from "./mcp-registration.js";
import { type CommandLine, projectRules, SECRETS_RULE, secretsSkill } from "./rules.js";

export const AGENTS = ["claude", "cursor", "codex"] as const;
export type Agent = (typeof AGENTS)[number];

export const SKILL_NAME = "sage-pipeline-secrets";
const SKILL_DESCRIPTION =
  "Use when a task touches credentials, .dlt/secrets.toml, the Sage login or the token store of this sage-pipeline project: how to find out what is set without reading any secret.";

/** One file `ai init` writes: where, and how the new text merges with what is there. */
export interface FilePlan {
  /** Relative to the project folder, with `/`. */
  file: string;
  merge: (existing: string | undefined) => Merge;
}

export interface PlanInput {
  cwd: string;
  commands: readonly CommandLine[];
  specs: readonly ConfigSpec[];
  /** Files that hold secrets and must be kept from git and the agent (absolute paths). */
  secretFiles: readonly string[];
}

/** A path inside the project as an ignore pattern (`/.dlt/secrets.toml`), or undefined if outside. */
function projectPattern(cwd: string, path: string): string | undefined {
  const rel = relative(cwd, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return rel.split(sep).join("/");
}

/** Claude Code's permission path: `./x` in the project, `~/x` under home, `//abs` elsewhere. */
function claudePath(cwd: string, path: string): string {
  const inProject = projectPattern(cwd, path);
  if (inProject !== undefined) return `./${inProject}`;
  const home = projectPattern(homedir(), path);
  return home !== undefined ? `~/${home}` : `/${path}`;
}

function frontMatter(fields: Record<string, string | boolean>): string {
  return `---\n${Object.entries(fields)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? JSON.stringify(v) : String(v)}`)
    .join("\n")}\n---\n`;
}

/**
 * What `ai init --agent <agent>` writes. Every agent: the MCP registration, `AGENTS.md` (read by
 * Codex and Cursor, imported by CLAUDE.md), a secrets skill and ignore entries. Where an agent
 * has no ignore file (Claude Code, Codex) none is invented: Claude Code gets `permissions.deny`
 * rules instead, Codex only `.gitignore` and the rules.
 */
export function planFor(agent: Agent, input: PlanInput): FilePlan[] {
  const ignored = input.secretFiles.map((f) => projectPattern(input.cwd, f)).filter((p): p is string => p !== undefined);
  const ignoreLines = [...new Set([".dlt/secrets.toml", ...ignored])];
  const rules = projectRules(input.commands, input.specs);
  const skill = secretsSkill();
  const plans: FilePlan[] = [
    { file: "AGENTS.md", merge: (e) => mergeManaged(e, rules) },
    { file: ".gitignore", merge: (e) => mergeIgnoreLines(e, ignoreLines) },
  ];
  switch (agent) {
    case "claude":
      plans.push(
        { file: ".mcp.json", merge: (e) => mergeMcpJson(e, ".mcp.json") },
        {
          file: "CLAUDE.md",
          merge: (e) => mergeManaged(e, `The sage-pipeline rules of this project: @AGENTS.md\n\n${SECRETS_RULE}`),
        },
        {
          file: `.claude/skills/${SKILL_NAME}/SKILL.md`,
          merge: (e) =>
            mergeManaged(e, skill, { ownsFile: true, prefix: frontMatter({ name: SKILL_NAME, description: SKILL_DESCRIPTION }) }),
        },
        {
          file: ".claude/settings.json",
          merge: (e) =>
            mergeClaudeDeny(
              e,
              [...new Set(input.secretFiles.map((f) => claudePath(input.cwd, f)))].map((p) => `Read(${p})`),
              ".claude/settings.json",
            ),
        },
      );
      break;
    case "cursor":
      plans.push(
        { file: ".cursor/mcp.json", merge: (e) => mergeMcpJson(e, ".cursor/mcp.json") },
        {
          file: `.cursor/rules/${SERVER_NAME}.mdc`,
          merge: (e) =>
            mergeManaged(e, `The sage-pipeline rules of this project: @AGENTS.md\n\n${SECRETS_RULE}`, {
              ownsFile: true,
              prefix: frontMatter({ description: "sage-pipeline project rules", alwaysApply: true }),
            }),
        },
        {
          file: `.cursor/rules/${SKILL_NAME}.mdc`,
          merge: (e) =>
            mergeManaged(e, skill, {
              ownsFile: true,
              prefix: frontMatter({ description: SKILL_DESCRIPTION, alwaysApply: false }),
            }),
        },
        { file: ".cursorignore", merge: (e) => mergeIgnoreLines(e, ignoreLines) },
      );
      break;
    case "codex":
      plans.push(
        { file: ".codex/config.toml", merge: (e) => mergeCodexToml(e, ".codex/config.toml") },
        {
          file: `.agents/skills/${SKILL_NAME}/SKILL.md`,
          merge: (e) =>
            mergeManaged(e, skill, { ownsFile: true, prefix: frontMatter({ name: SKILL_NAME, description: SKILL_DESCRIPTION }) }),
        },
      );
      break;
  }
  return plans;
}
