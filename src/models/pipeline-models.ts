import type { ConfigResolver } from "../config/index.js";
import type { DestinationClient } from "../destinations/index.js";
import { MODELS_SPEC } from "./config.js";
import { DataTestsFailedError, type ModelsRunInfo } from "./run-info.js";
import { runModels } from "./runner.js";

export interface PipelineModelsOptions {
  /** `YYYY-MM-DD`; default `[models] as_of_date`, else the date of the latest load. */
  asOfDate?: string;
  /** Rebuild the incremental models (the general ledger) from scratch. */
  fullRefresh?: boolean;
}

/** `[models] enabled`: build the models after every successful load. */
export function modelsEnabled(config: ConfigResolver): boolean {
  return config.resolve(MODELS_SPEC).values.enabled;
}

/**
 * What `pipeline.runModels()` does: build the models with the pipeline's config and throw
 * `DataTestsFailedError` (exit 1, carrying the run info) when a data test failed.
 */
export async function runPipelineModels(
  client: DestinationClient,
  destinationName: string,
  pipelineName: string,
  config: ConfigResolver,
  options: PipelineModelsOptions = {},
): Promise<ModelsRunInfo> {
  const asOfDate = config.resolve(MODELS_SPEC, options.asOfDate !== undefined ? { asOfDate: options.asOfDate } : {}).values
    .asOfDate;
  const info = await runModels(client, destinationName, {
    pipelineName,
    ...(asOfDate !== undefined ? { asOfDate } : {}),
    ...(options.fullRefresh ? { fullRefresh: true } : {}),
  });
  if (!info.passed) throw new DataTestsFailedError(info);
  return info;
}
