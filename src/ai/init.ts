import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError } from "../util/errors.js";
import { writeFileAtomic } from "../util/fs-atomic.js";
import { type Agent, planFor, type PlanInput } from "./agents.js";
import type { Outcome } from "./managed-text.js";

export interface InitResult {
  file: string;
  outcome: Outcome;
}

/**
 * Write an agent's files into `input.cwd`. All merges are computed first: if any would drop a
 * user's edit and `force` is not set, nothing is written and the error lists every such file.
 * Running it again changes nothing.
 */
export function aiInit(agent: Agent, input: PlanInput, force: boolean): InitResult[] {
  const merged = planFor(agent, input).map((plan) => {
    const path = join(input.cwd, plan.file);
    const existing = existsSync(path) ? readFileSync(path, "utf8") : undefined;
    return { plan, path, merge: plan.merge(existing) };
  });
  const conflicts = merged.filter((m) => m.merge.conflict !== undefined);
  if (conflicts.length > 0 && !force) {
    throw new ConfigError(
      `ai init would overwrite your edits: ${conflicts.map((c) => `${c.plan.file} (${c.merge.conflict ?? ""})`).join("; ")}`,
      { hint: "nothing was written; keep your version, or run again with --force to replace the sage-pipeline parts" },
    );
  }
  const results: InitResult[] = [];
  for (const m of merged) {
    if (m.merge.outcome !== "unchanged") {
      mkdirSync(dirname(m.path), { recursive: true });
      writeFileAtomic(m.path, m.merge.text, 0o644);
    }
    results.push({ file: m.plan.file, outcome: m.merge.outcome });
  }
  return results;
}
