import { isDeepStrictEqual } from "node:util";
import { parse as parseToml } from "smol-toml";
import { ConfigError } from "../util/errors.js";
import type { Merge } from "./managed-text.js";

export const SERVER_NAME = "sage-pipeline";

/**
 * How agents start the server: the project's own install through npx. `--no-install`: npx never
 * downloads a package of that name from the registry (a stranger's package could claim it).
 */
export const SERVER_COMMAND = { command: "npx", args: ["--no-install", "sage-pipeline", "mcp"] } as const;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** `.mcp.json` (Claude Code) and `.cursor/mcp.json` (Cursor): `{"mcpServers": {"<name>": {...}}}`. */
export function mergeMcpJson(existing: string | undefined, file: string): Merge {
  const entry = { type: "stdio", command: SERVER_COMMAND.command, args: [...SERVER_COMMAND.args] };
  let doc: Record<string, unknown> = {};
  let broken: string | undefined;
  if (existing !== undefined && existing.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch {
      parsed = undefined;
    }
    if (isRecord(parsed)) doc = parsed;
    else broken = `${file} is not a valid JSON object (fix it, or --force replaces it)`;
  }
  const servers = isRecord(doc.mcpServers) ? doc.mcpServers : {};
  const current = servers[SERVER_NAME];
  if (isDeepStrictEqual(current, entry)) return { text: existing ?? "", outcome: "unchanged" };
  const text = `${JSON.stringify({ ...doc, mcpServers: { ...servers, [SERVER_NAME]: entry } }, null, 2)}\n`;
  const outcome = existing === undefined ? "created" : "updated";
  if (broken !== undefined) return { text, outcome, conflict: broken };
  return current === undefined ? { text, outcome } : { text, outcome, conflict: `its ${SERVER_NAME} server entry was changed` };
}

const TABLE_HEADER = /^\s*\[mcp_servers\.(?:"sage-pipeline"|'sage-pipeline'|sage-pipeline)(?:\.[^\]]*)?\]\s*(#.*)?$/;

/**
 * `.codex/config.toml` (Codex): a `[mcp_servers.sage-pipeline]` table. The file is edited as
 * text (its comments and the user's other tables stay); only our table is replaced.
 */
export function mergeCodexToml(existing: string | undefined, file: string): Merge {
  const table = [
    `[mcp_servers.${SERVER_NAME}]`,
    `command = "${SERVER_COMMAND.command}"`,
    `args = [${SERVER_COMMAND.args.map((a) => `"${a}"`).join(", ")}]`,
  ].join("\n");
  if (existing === undefined) return { text: `${table}\n`, outcome: "created" };
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(existing);
  } catch {
    return { text: `${table}\n`, outcome: "updated", conflict: `${file} is not valid TOML (fix it, or --force replaces it)` };
  }
  const servers = isRecord(parsed.mcp_servers) ? parsed.mcp_servers : {};
  const current = servers[SERVER_NAME];
  const wanted = { command: SERVER_COMMAND.command, args: [...SERVER_COMMAND.args] };
  // smol-toml's tables are not plain objects: compare as JSON.
  if (JSON.stringify(current) === JSON.stringify(wanted)) return { text: existing, outcome: "unchanged" };
  // Drop our table (and its sub-tables such as .env) and append the fresh one.
  const kept: string[] = [];
  let inOurs = false;
  for (const line of existing.split("\n")) {
    if (/^\s*\[/.test(line)) inOurs = TABLE_HEADER.test(line);
    if (!inOurs) kept.push(line);
  }
  const rest = kept.join("\n").replace(/\n*$/, "");
  const text = `${rest}${rest ? "\n\n" : ""}${table}\n`;
  try {
    parseToml(text);
  } catch {
    // Our server is defined some other way (an inline table): a text edit would break the file.
    throw new ConfigError(`${file} defines mcp_servers.${SERVER_NAME} in a form this command does not edit`, {
      hint: `make it a [mcp_servers.${SERVER_NAME}] table, or remove it and run again`,
    });
  }
  return current === undefined
    ? { text, outcome: "updated" }
    : { text, outcome: "updated", conflict: `its [mcp_servers.${SERVER_NAME}] table was changed` };
}
