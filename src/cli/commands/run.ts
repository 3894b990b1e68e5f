import { destinationNames } from "../../destinations/registry.js";
import type { Command } from "commander";
import { type ConfigResolver, isSet, parseList } from "../../config/index.js";
import { PIPELINE_SPEC } from "../../pipeline/config.js";
import { RunIncompleteError } from "../../pipeline/incomplete.js";
import type { LoadInfo } from "../../pipeline/load-info.js";
import { Pipeline } from "../../pipeline/pipeline.js";
import { ConfigError } from "../../util/errors.js";
import { cliConfig } from "../config.js";
import { stopOnSignals } from "../interrupt.js";
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
  wait?: boolean;
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
    .option("--destination <name>", `${destinationNames().join(" | ")} (default: [pipeline] destination, else duckdb)`)
    .option("--resources <list>", "comma-separated resource names to load")
    .option(
      "--full-refresh",
      "forget the incremental cursors of the selected resources and read everything again (rows stay unique: merge)",
    )
    .option("--wait", "when this pipeline is already running here, wait for that run to end instead of exiting 1")
    .option("--json", "print the load info as JSON on stdout")
    .option("--no-progress", "no progress display on stderr")
    .action(async (positional: string | undefined, flags: RunFlags) => {
      const config = cliConfig();
      const sourceName = positional ?? flags.source ?? DEFAULT_SOURCE;
      if (positional && flags.source && positional !== flags.source) {
        throw new ConfigError(`two sources given: ${positional} and --source ${flags.source}`, { hint: "give one" });
      }
      const resources = resourcesFlag(flags.resources, sourceName, config);
      const { pipelineName, datasetName } = runNames(config, sourceName, flags);
      const src = await loadSource(sourceName, config.withPipeline(pipelineName), resources);
      const progress = new RunProgress(flags.progress !== false);
      const stops = stopOnSignals();
      const p = new Pipeline({
        pipelineName,
        datasetName,
        ...(flags.destination !== undefined ? { destination: flags.destination } : {}),
        config,
        onProgress: progress.onEvent,
        signal: stops.signal,
        waitForLock: flags.wait === true,
      });
      const print = (info: LoadInfo) => {
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(info.toJSON(), null, 2)}\n`);
        } else {
          process.stdout.write(`${String(info)}\n`);
          printRowCounts(info.rowCounts);
        }
      };
      const info = await progress
        .wrap(`${pipelineName} → ${p.destinationName}`, () => p.run(src, flags.fullRefresh ? { fullRefresh: true } : {}))
        .catch((err: unknown) => {
          // What did load is still shown; the error (exit 1) lists what did not.
          if (err instanceof RunIncompleteError) print(err.loadInfo);
          throw err;
        })
        .finally(stops.dispose);
      print(info);
    });
}

/** `--resources a,b`; an empty value loads the defaults, with a warning rather than silently. */
function resourcesFlag(value: string | undefined, sourceName: string, config: ConfigResolver): string[] | undefined {
  if (value === undefined) return undefined;
  const names = parseList(value, () => new ConfigError("--resources must be a comma-separated list"));
  if (names.length > 0) return names;
  config.warn(
    `--resources ${JSON.stringify(value)} names no resource: ignored, ${sourceName} loads its configured or default resources ` +
      "(leave the flag out to say so, or name some: --resources contacts,sales_invoices)",
  );
  return undefined;
}

/** The pipeline and dataset names of `run` (and of `enqueue`'s jobs): flags, then `[pipeline]`, then the source's defaults. */
export function runNames(
  config: ConfigResolver,
  sourceName: string,
  flags: { pipelineName?: string; datasetName?: string },
): { pipelineName: string; datasetName: string } {
  // `[pipeline]` wins over the per-source defaults of `run`; flags win over both.
  const configured = config.resolve(PIPELINE_SPEC);
  const pipelineName =
    flags.pipelineName ??
    (isSet(configured.origin("pipelineName")) ? configured.values.pipelineName : defaultPipelineName(sourceName));
  const datasetName = flags.datasetName ?? configured.values.datasetName ?? defaultDatasetName(sourceName, pipelineName);
  return { pipelineName, datasetName };
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
