import { createInterface } from "node:readline/promises";
import type { ConfigResolver } from "../../config/index.js";
import type { DropPlan } from "../../pipeline/drop.js";
import { Pipeline } from "../../pipeline/pipeline.js";
import { recordedLocation } from "../../pipeline/query-session.js";
import type { WorkingDir } from "../../pipeline/working-dir.js";
import { ConfigError, PipelineError, errorMessage } from "../../util/errors.js";

export interface DropFlags {
  yes?: boolean;
  dryRun?: boolean;
}

/** State paths shown in full up to this many; beyond, a count (a Sage login may have hundreds of businesses). */
const MAX_STATE_LINES = 40;

/** What the drop removes, in dlt's words: schema, resources, tables, state paths. */
export function describeDrop(plan: DropPlan, where: string): string {
  const lines = [`About to drop the following data of pipeline ${plan.pipelineName} in ${where}:`];
  for (const s of plan.schemas) {
    lines.push(
      `Selected schema: ${s.schemaName}`,
      `Selected resource(s): ${s.resources.join(", ")}`,
      `Table(s) to drop (nested tables first): ${s.tables.length > 0 ? s.tables.join(", ") : "(none: the resources never loaded a table)"}`,
      `State to reset (${s.stateKeys.length} value(s)):`,
    );
    for (const k of s.stateKeys.slice(0, MAX_STATE_LINES)) lines.push(`  ${k}`);
    if (s.stateKeys.length > MAX_STATE_LINES) lines.push(`  ... and ${s.stateKeys.length - MAX_STATE_LINES} more`);
    if (s.stateKeys.length === 0) lines.push("  (none)");
  }
  if (plan.reconciliationRecords > 0) {
    lines.push(`Reconciliation records to forget: ${plan.reconciliationRecords}`);
  }
  return lines.join("\n");
}

/** y/N on a terminal; without one, only `--yes` applies (a script must say so explicitly). */
async function confirmed(flags: DropFlags, name: string, resources: readonly string[]): Promise<boolean> {
  if (flags.yes) return true;
  if (!process.stdin.isTTY) {
    throw new ConfigError("drop asks before it applies, and there is no terminal to ask on", {
      hint: `pass --yes to apply it: sage-pipeline pipeline ${name} drop ${resources.join(" ")} --yes (or --dry-run to only see it)`,
    });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question("Do you want to apply these changes? [y/N] ");
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * `sage-pipeline pipeline NAME drop RESOURCE... [--yes] [--dry-run]`: show what goes, ask, then
 * commit the drop to the destination (Pipeline.drop) so the next run reloads those resources in full.
 */
export async function dropResources(
  pipelinesDir: string,
  wd: WorkingDir,
  name: string,
  resources: readonly string[],
  flags: DropFlags,
  config: ConfigResolver,
): Promise<string> {
  const state = wd.readState();
  if (!state?.destinationName) {
    throw new ConfigError(`pipeline ${name} has not loaded anything yet: there is nothing to drop`, {
      hint: "run it first: sage-pipeline run",
    });
  }
  const p = new Pipeline({
    pipelineName: name,
    datasetName: state.datasetName,
    destination: state.destinationName,
    pipelinesDir,
    config,
  });
  const plan = p.planDrop(resources);
  const location = await p.location();
  const recorded = recordedLocation(wd.readTrace());
  const where = `dataset ${p.datasetName} of destination ${p.destinationName} at ${location}`;
  process.stdout.write(`${describeDrop(plan, where)}\n`);
  if (flags.dryRun) return "dry run: nothing was changed";
  // A relative DuckDB path resolves against the current folder: from another folder the drop
  // would go to another (new) file while the real one keeps its tables and cursors.
  if (recorded !== undefined && recorded !== location) {
    throw new ConfigError(`the last run of ${name} loaded into ${recorded}, but from here the drop would go to ${location}`, {
      hint: "run the drop from the folder the pipeline runs in, or configure the destination the run used",
    });
  }
  if (!(await confirmed(flags, name, resources))) return "not applied: nothing was changed";
  let info;
  try {
    info = await p.drop(plan);
  } catch (err) {
    const pending = p.workingDir.packages.list("normalized");
    if (pending.length === 0) throw err;
    throw new PipelineError(
      `the drop is written as pending package(s) ${pending.join(", ")}, but committing it to the destination failed: ${errorMessage(err)}`,
      {
        cause: err,
        hint: `the next \`sage-pipeline run\` commits it before it loads anything else; or cancel it: sage-pipeline pipeline ${name} drop-pending-packages`,
      },
    );
  }
  const tables = plan.schemas.flatMap((s) => s.tables);
  const ids = info.loadPackages.map((l) => l.loadId).join(", ");
  return [
    `dropped ${tables.length} table(s) and the state of ${resources.join(", ")} in ${where}`,
    `committed with load package ${ids} (schema and state stored in the destination); the next run loads ${resources.length === 1 ? "it" : "them"} again in full`,
  ].join("\n");
}
