import { type Command, Option } from "commander";
import { DEPLOY_TARGETS, type DeployTarget, runDeploy } from "../../deploy/index.js";
import { ConfigError } from "../../util/errors.js";
import { CONFIG_SPECS, cliConfig } from "../config.js";
import { packageVersion } from "../version.js";
import { businessesFlag } from "./enqueue.js";
import { DEFAULT_SOURCE, runNames } from "./run.js";

interface DeployFlags {
  out?: string;
  force?: boolean;
  schedule: string;
  source?: string;
  pipelineName?: string;
  datasetName?: string;
  destination?: string;
  image?: string;
  replicas: string;
  gracePeriod: string;
  businesses: string;
}

const STORE: Record<DeployTarget, string> = {
  "github-actions": "the repository's Actions secrets (Settings > Secrets and variables > Actions)",
  docker: "the container's environment (docker run --env-file FILE, one NAME=value a line)",
  kubernetes: "kubernetes/secret.yaml (or kubectl create secret generic ... --from-env-file=FILE)",
};

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(`${flag} ${JSON.stringify(value)} is not a positive whole number`, { hint: `e.g. ${flag} 2` });
  return n;
}

/** `sage-pipeline deploy github-actions|docker|kubernetes`: the files a deployment needs, as `dlt deploy` writes them. */
export function registerDeploy(program: Command): void {
  program
    .command("deploy")
    .description("write the files to run the pipeline elsewhere: a scheduled GitHub workflow, a Dockerfile, Kubernetes workers")
    .addArgument(program.createArgument("<target>", "where to run it").choices(DEPLOY_TARGETS))
    .option("--out <dir>", "write under this folder (default: the current one)")
    .option("--force", "overwrite existing files, and write despite a refusal (a local DuckDB file, a rotating Sage login)")
    .option("--schedule <cron>", "five-field cron in UTC: the workflow's or the CronJob's schedule", "0 * * * *")
    .option("--source <name>", "the source the deployed run loads (as for run)", DEFAULT_SOURCE)
    .option("--pipeline-name <name>", "pipeline name (default as for run)")
    .option("--dataset-name <name>", "dataset (default as for run)")
    .option("--destination <name>", "destination (default: [pipeline] destination, else duckdb)")
    .option("--image <ref>", "kubernetes: the image built from the Dockerfile (default <pipeline-name>:latest)")
    .option("--replicas <n>", "kubernetes: worker replicas", "2")
    .option("--grace-period <seconds>", "kubernetes: SIGTERM grace, longer than a pipeline step", "900")
    .option("--businesses <list>", "kubernetes: the CronJob's enqueue --businesses (all, or ids)", "all")
    .addOption(new Option("--json", "print the files, secret names and notes as JSON").default(false))
    .action(async (target: DeployTarget, flags: DeployFlags & { json: boolean }) => {
      const config = cliConfig();
      const source = flags.source ?? DEFAULT_SOURCE;
      const names = runNames(config, source, flags);
      // The CronJob's enqueue would refuse a bad list at every tick: refuse it now instead.
      businessesFlag(flags.businesses);
      const result = await runDeploy(config, {
        target,
        cwd: process.cwd(),
        ...(flags.out !== undefined ? { outDir: flags.out } : {}),
        force: flags.force === true,
        specs: CONFIG_SPECS,
        source,
        ...names,
        ...(flags.destination !== undefined ? { destination: flags.destination } : {}),
        schedule: flags.schedule,
        ...(flags.image !== undefined ? { image: flags.image } : {}),
        replicas: positiveInt("--replicas", flags.replicas),
        gracePeriodSeconds: positiveInt("--grace-period", flags.gracePeriod),
        businesses: flags.businesses,
        provenance: { command: commandLine(), version: packageVersion(), at: new Date() },
      });
      // Names and where they are here, never a value.
      if (flags.json) {
        const out = {
          files: result.files,
          secrets: result.secrets,
          settings: result.settings.map((s) => s.name),
          notes: result.notes,
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const lines = [`wrote ${result.files.join(", ")}`];
      if (result.secrets.length > 0) {
        lines.push(`add these secrets to ${STORE[target]}:`);
        for (const s of result.secrets) lines.push(`  ${s.name}  (${s.setHere ? `here: ${s.where}` : s.where})`);
      } else {
        lines.push("no secrets needed");
      }
      if (result.settings.length > 0) {
        lines.push(
          `written as plain variables (set here outside .dlt/config.toml): ${result.settings.map((s) => s.name).join(", ")}`,
        );
      }
      for (const n of result.notes) lines.push(`note: ${n}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}

/** The command as the user typed it (for the generated files' headers); flags hold no secret. */
function commandLine(): string {
  const args = process.argv.slice(2).map((a) => (/^[\w./:=@%+,-]+$/.test(a) ? a : JSON.stringify(a)));
  return ["sage-pipeline", ...args].join(" ");
}
