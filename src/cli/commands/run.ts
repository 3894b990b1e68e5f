import type { Command } from "commander";
import { ConfigResolver } from "../../config/resolver.js";
import { parseList } from "../../config/resolver.js";
import { RunIncompleteError } from "../../pipeline/incomplete.js";
import type { LoadInfo } from "../../pipeline/load-info.js";
import { Pipeline } from "../../pipeline/pipeline.js";
import { ConfigError } from "../../util/errors.js";
import { RunProgress } from "../progress.js";
import { loadSource } from "../source-loader.js";
import { printRowCounts } from "../tables.js";

interface RunFlags {
  pipelineName?: string;
  datasetName?: string;
  destination?: string;
  resources?: string;
  source?: string;
  json?: boolean;
  progress?: boolean;
  fullRefresh?: boolean;
}

export const DEFAULT_SOURCE = "sage_accounting";

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("extract, normalize and load a source (default: the Sage Accounting source from .dlt/ config and env)")
    .argument("[source]", "a registered source name or a path to a module exporting a source")
    .option("--source <name>", "same as the positional argument (e.g. sage_one_za)")
    .option("--pipeline-name <name>", "pipeline name (working dir and state)")
    .option("--dataset-name <name>", "dataset (schema) to load into")
    .option("--destination <name>", "duckdb | postgres | filesystem (default from [destination] config, else duckdb)")
    .option("--resources <list>", "comma-separated resource names to load")
    .option(
      "--full-refresh",
      "forget the incremental cursors of the selected resources and read everything again (rows stay unique: merge)",
    )
    .option("--json", "print the load info as JSON on stdout")
    .option("--no-progress", "no progress display on stderr")
    .action(async (positional: string | undefined, flags: RunFlags) => {
      const config = ConfigResolver.fromCwd();
      const sourceName = positional ?? flags.source ?? DEFAULT_SOURCE;
      if (positional && flags.source && positional !== flags.source) {
        throw new ConfigError(`two sources given: ${positional} and --source ${flags.source}`, { hint: "give one" });
      }
      const resources = flags.resources
        ? parseList(flags.resources, () => new ConfigError("--resources must be a comma-separated list"))
        : undefined;
      const src = await loadSource(sourceName, config, resources);
      const pipelineName = flags.pipelineName ?? pipelineSetting(config, "pipeline_name") ?? defaultPipelineName(sourceName);
      const datasetName =
        flags.datasetName ?? pipelineSetting(config, "dataset_name") ?? defaultDatasetName(sourceName, pipelineName);
      const destination = flags.destination ?? configuredDestination(config) ?? "duckdb";
      const progress = new RunProgress(flags.progress !== false);
      const p = new Pipeline({ pipelineName, datasetName, destination, config, onProgress: progress.onEvent });
      const print = (info: LoadInfo) => {
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(info.toJSON(), null, 2)}\n`);
        } else {
          process.stdout.write(`${String(info)}\n`);
          printRowCounts(info.rowCounts);
        }
      };
      const info = await progress
        .wrap(`${pipelineName} → ${destination}`, () => p.run(src, flags.fullRefresh ? { fullRefresh: true } : {}))
        .catch((err: unknown) => {
          // What did load is still shown; the error (exit 1) lists what did not.
          if (err instanceof RunIncompleteError) print(err.loadInfo);
          throw err;
        });
      print(info);
    });
}

/** A `[pipeline]` setting (env `PIPELINE__<KEY>`), read at that exact path only. */
function pipelineSetting(config: ConfigResolver, key: string): string | undefined {
  const found = config.findExact(["pipeline"], key);
  if (!found) return undefined;
  if (typeof found.value !== "string") throw new ConfigError(`${found.where} must be a string`);
  return found.value;
}

/** `[pipeline] destination = "postgres"` (env PIPELINE__DESTINATION) or `[destination] name = ...`. */
function configuredDestination(config: ConfigResolver): string | undefined {
  const found = config.findExact(["destination"], "name");
  if (found && typeof found.value !== "string")
    throw new ConfigError(`${found.where} must be a destination name such as "postgres"`);
  return pipelineSetting(config, "destination") ?? (found?.value as string | undefined);
}

function defaultPipelineName(source: string): string {
  if (source === DEFAULT_SOURCE) return "sage_accounting_pipeline";
  if (source === "sage_one_za") return "sage_one_za_pipeline";
  return "sage_pipeline";
}

function defaultDatasetName(source: string, pipelineName: string): string {
  if (source === DEFAULT_SOURCE) return "sage_accounting_data";
  if (source === "sage_one_za") return "sage_one_za_data";
  return `${pipelineName}_dataset`;
}
