import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import cronParser from "cron-parser";
import { type ConfigResolver, type ConfigSpec, dataDir } from "../config/index.js";
import { resolveDestination } from "../destinations/registry.js";
import { FILESYSTEM_SPEC } from "../destinations/filesystem/spec.js";
import { RUNTIME_SPEC } from "../http/index.js";
import { resolvePipelineSettings } from "../pipeline/config.js";
import { WORKER_SPEC } from "../runtime/config.js";
import { defaultTokenStorePath } from "../sage/index.js";
import { SAGE_SPEC } from "../sage/options.js";
import { ConfigError } from "../util/errors.js";
import { collectDeployEnv, type DeployEnv, type DeploySecret, type DeploySetting, withSecret } from "./deploy-env.js";
import { type DeployFile, type Provenance, writeDeployFiles } from "./deploy-file.js";
import { dockerFiles } from "./docker.js";
import { githubWorkflow } from "./github-actions.js";
import { QUEUE_URL_SECRET, kubernetesFiles } from "./kubernetes.js";
import type { DeployPlan } from "./plan.js";

export const DEPLOY_TARGETS = ["github-actions", "docker", "kubernetes"] as const;
export type DeployTarget = (typeof DEPLOY_TARGETS)[number];

/** The package a deployed project installs (its `npm ci` brings the CLI). */
const PACKAGE_NAME = "sage-accounting-pipeline";

export interface DeployOptions {
  target: DeployTarget;
  /** The project: where `.dlt/` and package.json are. */
  cwd: string;
  /** Where the files go (default the project). */
  outDir?: string;
  force: boolean;
  /** Every config spec the CLI knows; deploy keeps those the deployed command resolves. */
  specs: readonly ConfigSpec[];
  source: string;
  pipelineName: string;
  datasetName: string;
  /** `--destination`, over `[pipeline] destination`. */
  destination?: string;
  schedule: string;
  image?: string;
  replicas: number;
  gracePeriodSeconds: number;
  businesses: string;
  provenance: Provenance;
}

export interface DeployResult {
  files: string[];
  secrets: DeploySecret[];
  settings: DeploySetting[];
  /** What the user should know next (one line each). */
  notes: string[];
}

/** A five-field cron (minute hour day month weekday), as GitHub, Kubernetes and pg-boss all read it. */
function checkSchedule(cron: string): void {
  const fields = cron.trim().split(/\s+/);
  let problem: string | undefined = fields.length === 5 ? undefined : `has ${fields.length} fields`;
  if (!problem) {
    try {
      cronParser.parseExpression(cron, { utc: true });
    } catch (err) {
      problem = (err as Error).message;
    }
  }
  if (problem) {
    throw new ConfigError(`--schedule ${JSON.stringify(cron)} is not a five-field cron expression: ${problem}`, {
      hint: 'minute hour day month weekday, in UTC: --schedule "0 * * * *" (hourly), "30 2 * * *" (02:30 daily)',
    });
  }
}

/** The specs the deployed command resolves: its source's, its destination's (and staging's), `run`'s or the worker's `[runtime]`. */
function deployedSpecs(o: DeployOptions, destination: string, staging: boolean): ConfigSpec[] {
  const out: ConfigSpec[] = [];
  for (const spec of o.specs) {
    const [head, name] = spec.section;
    if (head === "sources" && name !== `${o.source}_source`) continue;
    if (head === "destination" && name !== destination && !(staging && name === "filesystem")) continue;
    if (head === "runtime") continue;
    out.push(spec);
  }
  out.push(o.target === "github-actions" ? RUNTIME_SPEC : WORKER_SPEC);
  return out;
}

/** Why a runner or a pod cannot keep this destination's data (its files die with it), if so. */
function ephemeralDestination(name: string, singleWriter: boolean, config: ConfigResolver): string | undefined {
  if (singleWriter) return `the destination ${name} is a local database file`;
  if (name === "filesystem") {
    const url = config.resolve(FILESYSTEM_SPEC).values.bucketUrl ?? "";
    if (!/^(s3|gs|gcs|az|abfss?):\/\//i.test(url))
      return `the filesystem destination writes to a local folder (${url || "unset"})`;
  }
  return undefined;
}

/** The project's package.json must install this package, and a lock file must pin it (`npm ci`). */
function checkProject(cwd: string): void {
  const pkgFile = join(cwd, "package.json");
  if (!existsSync(pkgFile)) {
    throw new ConfigError(`no package.json in ${cwd}: the deployed machine installs the pipeline with npm ci`, {
      hint: `run deploy in your project's folder, or make one: npm init -y && npm install ${PACKAGE_NAME}`,
    });
  }
  let pkg: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  try {
    pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as typeof pkg;
  } catch (err) {
    throw new ConfigError(`${pkgFile} is not valid JSON: ${(err as Error).message}`, { hint: "fix the file, then deploy again" });
  }
  if (!pkg.dependencies?.[PACKAGE_NAME]) {
    const dev = pkg.devDependencies?.[PACKAGE_NAME] !== undefined;
    throw new ConfigError(
      `${pkgFile} does not list ${PACKAGE_NAME} in dependencies${dev ? " (only in devDependencies, which npm ci --omit=dev leaves out)" : ""}`,
      { hint: `npm install ${PACKAGE_NAME}` },
    );
  }
  if (!existsSync(join(cwd, "package-lock.json"))) {
    throw new ConfigError(`no package-lock.json in ${cwd}: npm ci needs it`, {
      hint: "run npm install once and commit package-lock.json",
    });
  }
}

/** A project-relative path for .dockerignore, when `p` lies inside the project. */
function insideProject(cwd: string, p: string): string | undefined {
  const rel = relative(cwd, resolve(cwd, p));
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split("\\").join("/") : undefined;
}

/**
 * `sage-pipeline deploy <target>`: resolve what the deployed command will resolve, refuse what
 * cannot work there (exit 2, unless --force where it is a choice), then write the target's files.
 */
export async function runDeploy(config: ConfigResolver, o: DeployOptions): Promise<DeployResult> {
  checkSchedule(o.schedule);
  const settings = resolvePipelineSettings(config, { destination: o.destination });
  const destinationName = typeof settings.destination === "string" ? settings.destination : settings.destination.name;
  const destination = await resolveDestination(
    destinationName,
    config,
    settings.staging ? { staging: settings.staging } : undefined,
  );
  const singleWriter = destination.capabilities.singleWriter;
  const refusals: string[] = [];
  const notes: string[] = [];
  const ephemeral = ephemeralDestination(destinationName, singleWriter, config);
  if (ephemeral && o.target !== "docker") {
    refusals.push(
      `${ephemeral}: a ${o.target === "github-actions" ? "GitHub runner" : "pod"} is thrown away after the run, and the data with it`,
    );
  } else if (ephemeral) {
    notes.push(`${ephemeral}: mount a volume at its path (docker run -v ...), or the data goes with the container`);
  }
  if (singleWriter && o.target === "kubernetes")
    notes.push(`${destinationName} takes one writer: the Deployment runs one replica`);

  let env: DeployEnv = collectDeployEnv(
    deployedSpecs(o, destinationName, settings.staging !== undefined),
    config.withPipeline(o.pipelineName),
  );
  if (o.source === "sage_accounting") {
    const sage = config.withPipeline(o.pipelineName).resolve(SAGE_SPEC).values;
    if (!sage.accessToken) {
      // Sage's refresh tokens are single use: each refresh returns the next one.
      if (o.target === "github-actions") {
        refusals.push(
          "the Sage login refreshes its tokens, and each refresh token works once: a runner forgets the rotated one, so the next scheduled run would send a spent token and lose the login (deploy docker or kubernetes: the workers keep the tokens in the queue's Postgres)",
        );
      }
      if (!sage.refreshToken) {
        const store = sage.tokenStore ?? defaultTokenStorePath();
        env = withSecret(env, {
          name: "SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN",
          where: `the first worker seeds the queue's token store from it: the current one is in ${store} (sage-pipeline auth login wrote it); afterwards the store keeps the rotations`,
          setHere: false,
        });
      }
    }
  } else if (o.specs.every((s) => s.section[1] !== `${o.source}_source`)) {
    notes.push(`the source ${o.source} declares no config spec here: add the secrets it reads yourself`);
  }
  if (o.target !== "github-actions") {
    env = withSecret(env, {
      name: QUEUE_URL_SECRET,
      where: "the queue the workers take jobs from (not set here)",
      setHere: false,
    });
  }
  if (refusals.length > 0 && !o.force) {
    throw new ConfigError(`cannot deploy to ${o.target} as configured: ${refusals.join("; and ")}`, {
      hint: "change the destination or the login (see the README's production page), or pass --force to write the files anyway",
    });
  }
  if (o.target !== "kubernetes") checkProject(o.cwd);

  const plan: DeployPlan = {
    provenance: o.provenance,
    source: o.source,
    pipelineName: o.pipelineName,
    datasetName: o.datasetName,
    destination: destinationName,
    env,
    schedule: o.schedule.trim(),
  };
  let files: DeployFile[];
  if (o.target === "github-actions") {
    files = [githubWorkflow(plan)];
    notes.push("commit the workflow with .dlt/config.toml (never .dlt/secrets.toml) and package-lock.json");
  } else if (o.target === "docker") {
    const tokenStore = o.source === "sage_accounting" ? config.resolve(SAGE_SPEC).values.tokenStore : undefined;
    const alsoIgnore = [tokenStore, dataDir()].flatMap((p) => (p ? (insideProject(o.cwd, p) ?? []) : []));
    files = dockerFiles(plan, { alsoIgnore: [...new Set(alsoIgnore)].map((p) => `/${p}`) });
    notes.push("docker is not run by deploy: build with docker build -t IMAGE . and pass the secrets at run time");
  } else {
    const lease = config.resolve(WORKER_SPEC).values.jobLeaseSeconds;
    if (o.gracePeriodSeconds >= lease) {
      notes.push(
        `--grace-period ${o.gracePeriodSeconds} is not below [runtime] job_lease_seconds (${lease}): a stopping worker's job may be handed out again before it ends`,
      );
    }
    files = kubernetesFiles(plan, {
      image: o.image ?? `${o.pipelineName.replace(/_/g, "-")}:latest`,
      replicas: o.replicas,
      gracePeriodSeconds: o.gracePeriodSeconds,
      businesses: o.businesses,
      singleWriter,
    });
  }
  const written = writeDeployFiles(resolve(o.cwd, o.outDir ?? "."), files, o.force, o.cwd);
  return { files: written, secrets: env.secrets, settings: env.settings, notes };
}
