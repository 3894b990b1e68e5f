import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Argument, type Command, Option } from "commander";
import { ConfigResolver } from "../../config/index.js";
import { describeRejected } from "../../package/files.js";
import { resolvePipelinesDir } from "../../pipeline/config.js";
import { recordedLocation } from "../../pipeline/query-session.js";
import { RunLock } from "../../pipeline/run-lock.js";
import { Pipeline } from "../../pipeline/pipeline.js";
import { WorkingDir } from "../../pipeline/working-dir.js";
import { ConfigError } from "../../util/errors.js";
import { DemoFiles } from "../demo-files.js";
import { describeLoadPackage } from "../load-package-view.js";
import { cursorRows, datasetRowCounts } from "../pipeline-facts.js";
import { SCHEMA_FORMATS, type SchemaFormat, formatSchema } from "../schema-format.js";
import { formatTable } from "../text-table.js";
import { formatTrace } from "../trace-format.js";
import { dropResources } from "./pipeline-drop.js";

const ACTIONS = [
  "info",
  "failed-jobs",
  "drop-pending-packages",
  "trace",
  "state",
  "schema",
  "load-package",
  "sync",
  "drop",
] as const;
type Action = (typeof ACTIONS)[number];

interface PipelineFlags {
  list?: boolean;
  demo?: boolean;
  json?: boolean;
  table?: string;
  format: SchemaFormat;
  destination?: string;
  datasetName?: string;
  dropPending?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

function out(value: unknown): void {
  process.stdout.write(typeof value === "string" ? `${value}\n` : `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * `pipeline X sync`: rebuild the working dir's state and schemas from the destination (dlt's
 * `pipeline sync`), e.g. on a new machine or after the working dir was lost. Packages not loaded
 * yet are never discarded silently: they block the sync unless --drop-pending says so.
 */
async function syncFromDestination(dir: string, name: string, flags: PipelineFlags, config: ConfigResolver): Promise<string> {
  const wd = new WorkingDir(join(dir, name));
  const state = existsSync(wd.path) ? wd.readState() : undefined;
  const destination = flags.destination ?? state?.destinationName;
  const datasetName = flags.datasetName ?? state?.datasetName;
  if (!destination || !datasetName) {
    throw new ConfigError(`pipeline ${name} has no local state to say where it loads`, {
      hint: "name it: sage-pipeline pipeline NAME sync --destination DESTINATION --dataset-name DATASET",
    });
  }
  const store = wd.packages;
  const pending = existsSync(wd.path) ? [...store.list("extracted"), ...store.list("normalized")] : [];
  const lock = await RunLock.acquire(wd.path, name);
  try {
    if (pending.length > 0 && !flags.dropPending) {
      throw new ConfigError(`pipeline ${name} has ${pending.length} package(s) not loaded yet (${pending.join(", ")})`, {
        hint: "load them first with `sage-pipeline run`, or pass --drop-pending to discard them",
      });
    }
    if (pending.length > 0) store.dropPending();
    wd.forgetStateAndSchemas();
  } finally {
    await lock.release();
  }
  const p = new Pipeline({
    pipelineName: name,
    datasetName,
    destination,
    pipelinesDir: dir,
    config,
    restoreFromDestination: true,
  });
  await p.sync();
  const restored = wd.readState();
  return restored
    ? `restored state version ${restored._stateVersion} and schema(s) ${wd.schemaNames().join(", ") || "(none)"} of ${name} from ${destination} dataset ${datasetName}`
    : `the destination ${destination} holds no state of pipeline ${name} in dataset ${datasetName}; the working dir starts empty`;
}

/** `sage-pipeline pipeline --list` and `sage-pipeline pipeline <name> <action>`, like `dlt pipeline`. */
export function registerPipeline(program: Command): void {
  program
    .command("pipeline")
    .description(
      "inspect a pipeline's working dir (info, failed-jobs, state, schema, trace, load-package), rebuild it from the destination (sync), or drop resources or pending packages",
    )
    .argument("[name]", "pipeline name")
    .addArgument(new Argument("[action]", "what to do").choices(ACTIONS).default("info"))
    .argument("[args...]", "load-package: the load id (default: the newest package); drop: the resources to drop")
    .addOption(new Option("-l, --list", "list local pipelines"))
    .option("--demo", "the pipelines of `sage-pipeline demo` (kept apart from real ones)")
    .option("--json", "info, trace, state: the raw JSON instead of the readable text")
    .option("--table <name>", "schema: only this table")
    .addOption(new Option("--format <format>", "schema: how to print it").choices(SCHEMA_FORMATS).default("table"))
    .option("--destination <name>", "sync: the destination to restore from, when the working dir is gone")
    .option("--dataset-name <name>", "sync: the dataset to restore from, when the working dir is gone")
    .option("--drop-pending", "sync: discard packages that were not loaded yet")
    .option("-y, --yes", "drop: apply without asking")
    .option("--dry-run", "drop: only show what would be dropped")
    .action(async (name: string | undefined, action: Action, args: string[], flags: PipelineFlags) => {
      const config = ConfigResolver.fromCwd();
      const dir = flags.demo ? new DemoFiles().pipelinesDir : resolvePipelinesDir(config);
      if (flags.list || !name) {
        const names = existsSync(dir) ? readdirSync(dir).sort() : [];
        out(names.length ? names.join("\n") : `no pipelines in ${dir}`);
        return;
      }
      if (action === "sync") {
        out(await syncFromDestination(dir, name, flags, config));
        return;
      }
      if (!existsSync(join(dir, name))) {
        throw new ConfigError(`no pipeline named ${name} in ${dir}`, { hint: "list them with: sage-pipeline pipeline --list" });
      }
      const wd = new WorkingDir(join(dir, name));
      const store = wd.packages;
      if (action !== "drop" && action !== "load-package" && args.length > 0) {
        throw new ConfigError(`pipeline ${name} ${action} takes no further argument (got ${args.join(" ")})`, {
          hint: "see: sage-pipeline pipeline --help",
        });
      }
      switch (action) {
        case "drop":
          out(await dropResources(dir, wd, name, args, flags, config));
          return;
        case "info": {
          const state = wd.readState();
          const rows = state ? await datasetRowCounts(dir, state, config) : undefined;
          const cursors = state ? cursorRows(state) : [];
          if (flags.json) {
            out({
              pipelineName: name,
              workingDir: wd.path,
              datasetName: state?.datasetName ?? null,
              destinationName: state?.destinationName ?? null,
              destinationLocation: recordedLocation(wd.readTrace()) ?? null,
              stateVersion: state?._stateVersion ?? 0,
              schemas: wd.schemaNames(),
              packages: {
                extracted: store.list("extracted").length,
                normalized: store.list("normalized").length,
                loaded: store.list("loaded").length,
              },
              lastLoadId: state?._local?.lastLoadId ?? null,
              rowCounts: rows && "counts" in rows ? rows.counts : null,
              ...(rows && "error" in rows ? { rowCountsError: rows.error } : {}),
              cursors,
            });
            return;
          }
          const lines = [
            `Pipeline ${name}`,
            `working dir: ${wd.path}`,
            `dataset: ${state?.datasetName ?? "(not loaded yet)"}`,
            `destination: ${state?.destinationName ?? "(unknown)"}${recordedLocation(wd.readTrace()) ? ` at ${recordedLocation(wd.readTrace())}` : ""}`,
            `state version: ${state?._stateVersion ?? 0}`,
            `schemas: ${wd.schemaNames().join(", ") || "(none)"}`,
            `packages: ${store.list("extracted").length} extracted, ${store.list("normalized").length} normalized (pending), ${store.list("loaded").length} loaded`,
            `last load id: ${state?._local?.lastLoadId ?? "(none)"}`,
          ];
          if (rows && "error" in rows) lines.push("", `row counts: unavailable (${rows.error})`);
          else if (rows) {
            const counts = Object.entries(rows.counts).sort(([a], [b]) => a.localeCompare(b));
            const total = counts.reduce((s, [, n]) => s + n, 0);
            lines.push("", formatTable(["table", "rows"], [...counts, ["total", total]]));
          }
          if (cursors.length > 0) {
            lines.push(
              "",
              formatTable(
                ["source", "resource", "business", "cursor", "value"],
                cursors.map((c) => [c.source, c.resource, c.partition, c.key, c.value]),
              ),
            );
          }
          out(lines.join("\n"));
          return;
        }
        case "failed-jobs": {
          // Pending packages whose last load attempt failed, with the destination's message.
          const lines: string[] = [];
          for (const id of store.list("normalized")) {
            const failed = store.jobFiles(id, "failed_jobs");
            if (failed.length === 0) continue;
            const message = store.jobFailure(id, failed[0]!) ?? "(no message recorded)";
            lines.push(
              `Load package ${id}: ${failed.length} failed job(s) (${failed.join(", ")})`,
              `  ${message.replace(/\n/g, "\n  ")}`,
            );
          }
          for (const f of store.failedPackages()) {
            lines.push(
              `Load package ${f.loadId}: moved aside to ${store.root}/failed/${f.loadId} after ${f.attempts} failed ${f.step} attempt(s) (${f.at})`,
              `  ${f.reason.replace(/\n/g, "\n  ")}`,
            );
          }
          const rejected = store.rejectedItems();
          if (rejected.length > 0) {
            lines.push(`${rejected.length} quarantined item(s) (could not be normalized; the rest of their packages loaded):`);
            for (const r of rejected) lines.push(`  package ${r.loadId}: ${describeRejected(r)}`, `    item: ${r.item}`);
          }
          out(lines.length ? lines.join("\n") : "no failed jobs");
          return;
        }
        case "drop-pending-packages": {
          // A writer like a run: never while a run of this pipeline is in flight.
          const lock = await RunLock.acquire(wd.path, name);
          let dropped: string[];
          try {
            dropped = store.dropPending();
          } finally {
            await lock.release();
          }
          out(dropped.length ? `dropped ${dropped.length} pending package(s): ${dropped.join(", ")}` : "no pending packages");
          return;
        }
        case "trace": {
          const trace = wd.readTrace();
          out(trace === undefined ? "no trace yet" : flags.json ? trace : formatTrace(trace));
          return;
        }
        case "load-package": {
          if (args.length > 1) throw new ConfigError(`load-package takes one load id (got ${args.join(" ")})`);
          const view = describeLoadPackage(store, args[0]);
          out(flags.json ? view.json : view.text);
          return;
        }
        case "state":
          out(wd.readState() ?? "no state yet");
          return;
        case "schema": {
          const schemas = wd.schemaNames().flatMap((s) => {
            const schema = wd.readSchema(s);
            return schema ? [schema.toJSON()] : [];
          });
          if (schemas.length === 0) {
            out("no schema yet");
            return;
          }
          // With --table, the schema that has it (an unknown name errors with the tables there are).
          const table = flags.table;
          const chosen = table ? schemas.filter((s) => s.tables.some((t) => t.name === table)) : schemas;
          out((chosen.length > 0 ? chosen : schemas.slice(0, 1)).map((s) => formatSchema(s, flags.format, table)).join("\n\n"));
          return;
        }
      }
    });
}
