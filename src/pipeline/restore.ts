import type { DestinationClient } from "../destinations/destination.js";
import { Schema } from "../schema/schema.js";
import { logger } from "../util/logger.js";
import { decodeState } from "./state.js";
import type { WorkingDir } from "./working-dir.js";

const log = logger("pipeline");

/**
 * Take the state and schemas from the destination where they are newer than the working dir's
 * (or the working dir is gone): the destination holds what was committed. The dataset name the
 * user gave wins over the restored one (unlike dlt, #3680).
 */
export async function restoreFromDestination(
  client: DestinationClient,
  workingDir: WorkingDir,
  pipelineName: string,
  datasetName: string,
): Promise<void> {
  const remote = await client.storedState(pipelineName);
  const local = workingDir.readState();
  if (remote && (!local || remote.version > local._stateVersion)) {
    const restored = decodeState(remote.state);
    restored.datasetName = datasetName;
    restored._local = { ...(local?._local ?? {}), lastLoadId: remote.loadId };
    workingDir.writeState(restored);
    log.info(`restored state version ${remote.version} of ${pipelineName} from the destination`);
  }
  const names = new Set([...(workingDir.readState()?.schemaNames ?? []), ...workingDir.schemaNames()]);
  for (const name of names) {
    const stored = await client.storedSchema(name);
    const localSchema = workingDir.readSchema(name);
    if (stored && (!localSchema || stored.version > localSchema.version)) {
      workingDir.writeSchema(Schema.fromJSON(stored));
    }
  }
}
