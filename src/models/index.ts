export { MODELS_SPEC } from "./config.js";
export {
  loadModels,
  loadDataTests,
  MODELS_DIR,
  type ModelDefinition,
  type ModelColumn,
  type DataTestDefinition,
  type ModelDialect,
} from "./definitions.js";
export { runModels, RESULTS_TABLE, type RunModelsOptions } from "./runner.js";
export {
  ModelsRunInfo,
  DataTestsFailedError,
  describeFailure,
  type ModelBuild,
  type DataTestFailure,
  type DataTestResult,
} from "./run-info.js";
export { modelsEnabled, runPipelineModels, type PipelineModelsOptions } from "./pipeline-models.js";
