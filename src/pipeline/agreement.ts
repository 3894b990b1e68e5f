import { rmSync } from "node:fs";
import { join } from "node:path";
import type { DestinationClient } from "../destinations/destination.js";
import { LOADS_TABLE } from "../schema/system-tables.js";
import { logger } from "../util/logger.js";
import { decodeState } from "./state.js";
import type { WorkingDir } from "./working-dir.js";

const log = logger("pipeline");

export interface AgreementContext {
  client: DestinationClient;
  workingDir: WorkingDir;
  pipelineName: string;
  datasetName: string;
  /** The destination as LoadInfo prints it (credentials redacted). */
  location: string;
}

/** What the check found and did; `undefined` when the working dir and the destination agree. */
export interface Disagreement {
  /** The one warning printed: the destination, what it lacks, and what the run does about it. */
  warning: string;
  /** The destination's own state of this pipeline was taken (false: none, a full load follows). */
  restored: boolean;
  droppedPackages: string[];
}

/**
 * Before extracting, the local state must describe what the destination holds: its cursors say
 * "everything up to here is loaded". When the destination lacks the load the working dir last
 * committed (the DuckDB file was deleted, the credentials point at a new database, the dataset
 * was dropped), those cursors would make the run ask only for changes and load next to nothing
 * into an empty dataset. The destination is the truth: its own state of this pipeline is taken
 * when it has one, else the local state and schemas are discarded and a full load follows.
 * Pending packages were extracted on top of the discarded state, so they go too.
 */
export async function reconcileWithDestination(ctx: AgreementContext): Promise<Disagreement | undefined> {
  const { client, workingDir, pipelineName, datasetName } = ctx;
  const local = workingDir.readState();
  const committed = local?._local?.lastLoadId;
  // Nothing was ever committed from this working dir: there is nothing to contradict.
  if (!local || committed === undefined) return undefined;
  if (await client.isLoaded(committed)) return undefined;

  const tables = await client.tableNames();
  const remote = await client.storedState(pipelineName);
  const missing =
    tables.length === 0
      ? `has no dataset ${datasetName} (or it is empty)`
      : !tables.includes(LOADS_TABLE)
        ? `has dataset ${datasetName} but no ${LOADS_TABLE} table in it`
        : `has no load ${committed} in ${datasetName}.${LOADS_TABLE}`;

  const droppedPackages = workingDir.packages.dropPending();
  let action: string;
  if (remote) {
    const restored = decodeState(remote.state);
    restored.datasetName = datasetName;
    restored._local = { ...(local._local ?? {}), lastLoadId: remote.loadId, firstRun: false };
    workingDir.writeState(restored);
    // Local schemas may describe tables the destination never got; sync() takes its own.
    for (const name of workingDir.schemaNames()) rmSync(workingDir.schemaFile(name), { force: true });
    action = `continuing from the destination's state of ${pipelineName} (version ${remote.version}, load ${remote.loadId})`;
  } else {
    rmSync(join(workingDir.path, "state.json"), { force: true });
    rmSync(join(workingDir.path, "schemas"), { recursive: true, force: true });
    action = "local state and cursors discarded: this run loads everything again";
  }
  const pending = droppedPackages.length > 0 ? `; ${droppedPackages.length} pending package(s) built on it dropped` : "";
  const warning =
    `destination ${ctx.location} ${missing}, but the local state of ${pipelineName} says load ${committed} ` +
    `(state version ${local._stateVersion}) was committed there: ${action}${pending}`;
  log.warn(warning);
  return { warning, restored: remote !== undefined, droppedPackages };
}
