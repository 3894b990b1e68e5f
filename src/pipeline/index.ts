export {
  Pipeline,
  pipeline,
  type PipelineOptions,
  type PackageStep,
  type ProgressEvent,
  type RunData,
  type RunOptions,
} from "./pipeline.js";
export { LoadInfo, humanizeSeconds, type JobInfo, type LoadPackageInfo, type PackageState } from "./load-info.js";
export { ExtractInfo, NormalizeInfo } from "./step-info.js";
export { RejectedItemsError, RunIncompleteError } from "./incomplete.js";
export { Dataset, Relation } from "./dataset.js";
export { type PipelineState, decodeState, encodeState } from "./state.js";
export { WorkingDir } from "./working-dir.js";
export { type DropPlan, type SchemaDrop } from "./drop.js";
