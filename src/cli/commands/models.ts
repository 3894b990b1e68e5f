import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { dataDir, isSet } from "../../config/index.js";
import { DataTestsFailedError, type ModelsRunInfo, loadDataTests, loadModels } from "../../models/index.js";
import { PIPELINE_SPEC, resolvePipelinesDir } from "../../pipeline/config.js";
import { Pipeline } from "../../pipeline/pipeline.js";
import { WorkingDir } from "../../pipeline/working-dir.js";
import { ConfigError } from "../../util/errors.js";
import { cliConfig } from "../config.js";

interface RunFlags {
  demo?: boolean;
  asOf?: string;
  fullRefresh?: boolean;
  json?: boolean;
}

/** `sage-pipeline models run [pipeline]` and `sage-pipeline models list`: the accounting models. */
export function registerModels(program: Command): void {
  const models = program
    .command("models")
    .description("the accounting models: general ledger, trial balance, P&L, balance sheet, aged debtors/creditors");
  models
    .command("run")
    .description("build the models in the pipeline's dataset and run their data tests (exit 1 when one fails)")
    .argument("[pipeline]", "pipeline name (default: [pipeline] pipeline_name, else sage_accounting_pipeline)")
    .option("--demo", "the pipeline of `sage-pipeline demo` (kept apart from real ones)")
    .option("--as-of <date>", "date the aging is as of, YYYY-MM-DD (default: [models] as_of_date, else the load date)")
    .option("--full-refresh", "rebuild the incremental models (the general ledger) from scratch")
    .option("--json", "print the result as JSON")
    .action(async (name: string | undefined, f: RunFlags) => {
      if (f.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(f.asOf)) {
        throw new ConfigError(`--as-of must be a date, YYYY-MM-DD, got ${JSON.stringify(f.asOf)}`, {
          hint: "e.g. --as-of 2025-03-31",
        });
      }
      const config = cliConfig();
      const configured = config.resolve(PIPELINE_SPEC);
      const pipelineName =
        name ?? (isSet(configured.origin("pipelineName")) ? configured.values.pipelineName : "sage_accounting_pipeline");
      const pipelinesDir = f.demo ? join(dataDir(), "demo") : resolvePipelinesDir(config);
      if (!/^[^/\\]+$/.test(pipelineName) || !existsSync(join(pipelinesDir, pipelineName))) {
        throw new ConfigError(`no pipeline named ${pipelineName} in ${pipelinesDir}`, {
          hint: f.demo ? "run `sage-pipeline demo` first" : "list them with: sage-pipeline pipeline --list (or pass --demo)",
        });
      }
      const state = new WorkingDir(join(pipelinesDir, pipelineName)).readState();
      if (!state) throw new ConfigError(`pipeline ${pipelineName} has not loaded anything yet`, { hint: "run it first" });
      const p = new Pipeline({
        pipelineName,
        datasetName: state.datasetName,
        destination: state.destinationName ?? "duckdb",
        pipelinesDir,
        config,
        restoreFromDestination: false,
      });
      const print = (info: ModelsRunInfo) => {
        process.stdout.write(f.json ? `${JSON.stringify(info.toJSON(), null, 2)}\n` : `${String(info)}\n`);
      };
      try {
        print(
          await p.runModels({
            ...(f.asOf !== undefined ? { asOfDate: f.asOf } : {}),
            ...(f.fullRefresh ? { fullRefresh: true } : {}),
          }),
        );
      } catch (err) {
        if (err instanceof DataTestsFailedError) print(err.info);
        throw err;
      }
    });
  models
    .command("list")
    .description("list the models with their columns, and the data tests")
    .option("--json", "print them as JSON")
    .action((f: { json?: boolean }) => {
      const defs = loadModels(undefined);
      const tests = loadDataTests(undefined);
      if (f.json) {
        const strip = ({ name, description, dependsOn, materialization, columns }: (typeof defs)[number]) => ({
          name,
          description,
          dependsOn,
          materialization,
          columns,
        });
        const json = { models: defs.map(strip), tests: tests.map((t) => ({ name: t.name, description: t.description })) };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const m of defs) {
        lines.push(`${m.name} (${m.materialization}${m.dependsOn.length ? `, after ${m.dependsOn.join(", ")}` : ""})`);
        lines.push(`  ${m.description}`);
        const width = Math.max(...m.columns.map((c) => c.name.length));
        for (const c of m.columns) lines.push(`    ${c.name.padEnd(width)}  ${c.description}`);
        lines.push("");
      }
      lines.push("Data tests (run with the models; a failure exits 1):");
      for (const t of tests) lines.push(`  ${t.name}: ${t.description}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
