import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Argument, type Command, Option } from "commander";
import { ConfigResolver } from "../../config/index.js";
import { describeRejected } from "../../package/files.js";
import { resolvePipelinesDir } from "../../pipeline/config.js";
import { RunLock } from "../../pipeline/run-lock.js";
import { WorkingDir } from "../../pipeline/working-dir.js";
import { ConfigError } from "../../util/errors.js";

const ACTIONS = ["info", "failed-jobs", "drop-pending-packages", "trace", "state", "schema"] as const;
type Action = (typeof ACTIONS)[number];

function pipelinesDir(): string {
  return resolvePipelinesDir(ConfigResolver.fromCwd());
}

function out(value: unknown): void {
  process.stdout.write(typeof value === "string" ? `${value}\n` : `${JSON.stringify(value, null, 2)}\n`);
}

/** `sage-pipeline pipeline --list` and `sage-pipeline pipeline <name> <action>`, like `dlt pipeline`. */
export function registerPipeline(program: Command): void {
  program
    .command("pipeline")
    .description("inspect a pipeline's working dir: info, failed-jobs, state, schema, trace, or drop pending packages")
    .argument("[name]", "pipeline name")
    .addArgument(new Argument("[action]", "what to do").choices(ACTIONS).default("info"))
    .addOption(new Option("-l, --list", "list local pipelines"))
    .action(async (name: string | undefined, action: Action, flags: { list?: boolean }) => {
      const dir = pipelinesDir();
      if (flags.list || !name) {
        const names = existsSync(dir) ? readdirSync(dir).sort() : [];
        out(names.length ? names.join("\n") : `no pipelines in ${dir}`);
        return;
      }
      if (!existsSync(join(dir, name))) {
        throw new ConfigError(`no pipeline named ${name} in ${dir}`, { hint: "list them with: sage-pipeline pipeline --list" });
      }
      const wd = new WorkingDir(join(dir, name));
      const store = wd.packages;
      switch (action) {
        case "info": {
          const state = wd.readState();
          out(
            [
              `Pipeline ${name}`,
              `working dir: ${wd.path}`,
              `dataset: ${state?.datasetName ?? "(not loaded yet)"}`,
              `destination: ${state?.destinationName ?? "(unknown)"}`,
              `state version: ${state?._stateVersion ?? 0}`,
              `schemas: ${wd.schemaNames().join(", ") || "(none)"}`,
              `packages: ${store.list("extracted").length} extracted, ${store.list("normalized").length} normalized (pending), ${store.list("loaded").length} loaded`,
              `last load id: ${state?._local?.lastLoadId ?? "(none)"}`,
            ].join("\n"),
          );
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
        case "trace":
          out(wd.readTrace() ?? "no trace yet");
          return;
        case "state":
          out(wd.readState() ?? "no state yet");
          return;
        case "schema":
          out(wd.schemaNames().map((s) => wd.readSchema(s)?.toJSON()));
          return;
      }
    });
}
