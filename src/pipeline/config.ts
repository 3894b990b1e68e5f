import { join } from "node:path";
import { type ConfigResolver, configSpec, dataDir, field } from "../config/index.js";
import type { Destination } from "../destinations/destination.js";

const NAME_RULE = (v: string) =>
  /\S/.test(v) && !/[/\\]/.test(v) ? undefined : "must be a name without slashes (letters, digits and underscores)";

/**
 * `[pipeline]` (env `PIPELINE__<KEY>`), read by `pipeline()` as `dlt.pipeline()` reads it.
 * Looked up at exactly this section: `destination` or `pipeline_name` one level up would be
 * other things (the `[destination]` table).
 */
export const PIPELINE_SPEC = configSpec({
  title: "pipeline",
  section: ["pipeline"],
  fields: {
    pipelineName: field.string({
      doc: "names the working dir and the state",
      default: "sage_pipeline",
      defaultDoc: "`sage_pipeline` (`run`: `sage_accounting_pipeline` / `sage_one_za_pipeline`)",
      example: "sage_accounting_pipeline",
      lookup: "exact",
      check: NAME_RULE,
    }),
    datasetName: field.string({
      doc: "the dataset (schema) to load into",
      defaultDoc: "`<pipeline_name>_dataset` (`run`: `sage_accounting_data` / `sage_one_za_data`)",
      example: "sage_accounting_data",
      lookup: "exact",
      check: NAME_RULE,
    }),
    destination: field.string({
      doc: "a destination's name, as listed in the README's destination table, or one registered in code",
      defaultDoc: '`[destination] name`, else `"duckdb"`',
      example: "duckdb",
      lookup: "exact",
    }),
    staging: field.choice(["filesystem"], {
      doc: 'dlt\'s staging: "filesystem" uploads the load files to [destination.filesystem] bucket_url and the warehouse reads them from there (BigQuery: gs://, Redshift: s3://, Snowflake: s3://, az:// or gs:// through stage_name, Databricks: s3://, gs:// or az:// / abfss://, read as abfss:// with azure_storage_sas_token or staging_credentials_name)',
      lookup: "exact",
    }),
    pipelinesDir: field.string({
      doc: "where the working dirs of pipelines live",
      defaultDoc: "`~/.sage-pipeline/pipelines` (the data dir: `SAGE_PIPELINE_DATA_DIR`)",
      lookup: "exact",
      hidden: true,
    }),
    restoreFromDestination: field.boolean({
      doc: "restore state and schemas from the destination when it is newer than the working dir",
      default: true,
      lookup: "exact",
      hidden: true,
    }),
  },
});

/** `[destination] name = "postgres"`: the destination when `[pipeline] destination` is not set. */
export const DESTINATION_NAME_SPEC = configSpec({
  title: "destination choice",
  section: ["destination"],
  // `[destination]` also holds keys dlt's lookup finds for every destination (`credentials`).
  unknownKeys: "ignore",
  fields: {
    name: field.string({ doc: "the destination (same as `[pipeline] destination`)", lookup: "exact", hidden: true }),
  },
});

// `[normalize]` is the normalize step's own spec; re-exported for the pipeline's readers.
export { NORMALIZE_SPEC } from "../normalize/config.js";

/** Where the working dirs live: `[pipeline] pipelines_dir`, else `<data dir>/pipelines`. */
export function resolvePipelinesDir(config: ConfigResolver, explicit?: string): string {
  return config.resolve(PIPELINE_SPEC, { pipelinesDir: explicit }).values.pipelinesDir ?? join(dataDir(), "pipelines");
}

export interface PipelineSettings {
  pipelineName: string;
  datasetName: string;
  destination: string | Destination;
  pipelinesDir: string | undefined;
  restoreFromDestination: boolean;
  /** `[pipeline] staging`: load through the filesystem destination's bucket (warehouses that can). */
  staging?: "filesystem";
}

/** `pipeline()`'s settings: explicit, then `[pipeline]` (and `[destination] name`), then the defaults. */
export function resolvePipelineSettings(
  config: ConfigResolver,
  explicit: {
    pipelineName?: string | undefined;
    datasetName?: string | undefined;
    destination?: string | Destination | undefined;
    pipelinesDir?: string | undefined;
    restoreFromDestination?: boolean | undefined;
  },
): PipelineSettings {
  const given = typeof explicit.destination === "string" ? explicit.destination : undefined;
  const { values } = config.resolve(PIPELINE_SPEC, {
    pipelineName: explicit.pipelineName,
    datasetName: explicit.datasetName,
    destination: given,
    pipelinesDir: explicit.pipelinesDir,
    restoreFromDestination: explicit.restoreFromDestination,
  });
  const destination =
    typeof explicit.destination === "object"
      ? explicit.destination
      : (values.destination ?? config.resolve(DESTINATION_NAME_SPEC).values.name ?? "duckdb");
  return {
    pipelineName: values.pipelineName,
    datasetName: values.datasetName ?? `${values.pipelineName}_dataset`,
    destination,
    pipelinesDir: values.pipelinesDir,
    restoreFromDestination: values.restoreFromDestination,
    ...(values.staging !== undefined ? { staging: values.staging } : {}),
  };
}
