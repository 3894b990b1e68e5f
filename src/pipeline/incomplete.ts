import { PipelineError } from "../util/errors.js";
import { describeIncomplete, type LoadInfo } from "./load-info.js";

/**
 * `run()` loaded everything it read, but some resources (or some businesses of one) were not
 * read completely. Their cursors did not move, so running again reads exactly what is missing;
 * `loadInfo` says what did load. The CLI prints the LoadInfo and exits 1.
 */
export class RunIncompleteError extends PipelineError {
  constructor(
    readonly loadInfo: LoadInfo,
    message?: string,
    hint?: string,
  ) {
    const list = loadInfo.incomplete.map((i) => `\n  - ${describeIncomplete(i)}`).join("");
    super(
      message ??
        `Pipeline ${loadInfo.pipelineName} loaded what it read, but ${loadInfo.incomplete.length} resource part(s) are incomplete:${list}`,
      {
        hint:
          hint ??
          "run again once the cause is fixed: each incomplete part is read again from where its cursor stopped, and nothing that loaded is lost",
      },
    );
  }
}

/**
 * `run()` loaded everything else, but normalize quarantined some items (no primary key, a shape
 * the rules cannot take). Exit 1 like an incomplete run; `failed-jobs` lists each item.
 */
export class RejectedItemsError extends RunIncompleteError {
  constructor(loadInfo: LoadInfo) {
    super(
      loadInfo,
      `Pipeline ${loadInfo.pipelineName} loaded the rest, but ${loadInfo.rejectedItems} item(s) could not be normalized and were quarantined`,
      `list them (resource, business, id, reason) with: sage-pipeline pipeline ${loadInfo.pipelineName} failed-jobs`,
    );
  }
}
