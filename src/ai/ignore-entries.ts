import { isDeepStrictEqual } from "node:util";
import type { Merge } from "./managed-text.js";

/** Lines appended to an ignore file (`.gitignore`, `.cursorignore`) when missing; never removed. */
export function mergeIgnoreLines(existing: string | undefined, lines: readonly string[]): Merge {
  const present = new Set((existing ?? "").split("\n").map((l) => l.trim()));
  const missing = lines.filter((l) => !present.has(l));
  if (missing.length === 0) return { text: existing ?? "", outcome: "unchanged" };
  const base = existing ?? "";
  const sep = base === "" || base.endsWith("\n") ? "" : "\n";
  const header = present.has("# sage-pipeline: secrets and tokens never go to git or to an assistant")
    ? []
    : ["# sage-pipeline: secrets and tokens never go to git or to an assistant"];
  return {
    text: `${base}${sep}${[...header, ...missing].join("\n")}\n`,
    outcome: existing === undefined ? "created" : "updated",
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * `.claude/settings.json`: Claude Code has no ignore file; its `permissions.deny` rules
 * (`Read(./.dlt/secrets.toml)`) are how a project keeps files from it. Entries are added, never removed.
 */
export function mergeClaudeDeny(existing: string | undefined, rules: readonly string[], file: string): Merge {
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
  const permissions = isRecord(doc.permissions) ? doc.permissions : {};
  const deny = Array.isArray(permissions.deny) ? (permissions.deny as unknown[]) : [];
  const next = [...deny, ...rules.filter((r) => !deny.includes(r))];
  if (existing !== undefined && isDeepStrictEqual(next, deny)) return { text: existing, outcome: "unchanged" };
  const text = `${JSON.stringify({ ...doc, permissions: { ...permissions, deny: next } }, null, 2)}\n`;
  const outcome = existing === undefined ? "created" : "updated";
  return broken !== undefined ? { text, outcome, conflict: broken } : { text, outcome };
}
