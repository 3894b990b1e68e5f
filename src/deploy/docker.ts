import { type DeployFile, generatedHeader } from "./deploy-file.js";
import { type DeployPlan, WORKER_METRICS_PORT } from "./plan.js";

/** Where the image keeps the project: the Dockerfile's WORKDIR. */
export const IMAGE_WORKDIR = "/app";
/** The installed CLI (npm links the package's `bin` here), run directly so that it is PID 1 and gets SIGTERM itself. */
export const IMAGE_ENTRYPOINT = [`${IMAGE_WORKDIR}/node_modules/.bin/sage-pipeline`];
/** The image's default command: a queue worker with JSON logs (override with `docker run IMAGE run ...`). */
export const IMAGE_CMD = ["worker", "--log-format", "json"];

export interface DockerOptions {
  /** Project-relative paths that hold secrets or machine state here (a token store, a data dir inside the project). */
  readonly alsoIgnore: readonly string[];
}

/**
 * A Dockerfile for the project (node:20-slim, `npm ci --omit=dev`, the non-root `node` user,
 * the project's own sage-pipeline as entrypoint) and a .dockerignore that keeps secrets, token
 * stores and working dirs out of the build context, so out of every image layer.
 */
export function dockerFiles(plan: DeployPlan, o: DockerOptions): DeployFile[] {
  const dockerfile = [
    generatedHeader(plan.provenance, "#").trimEnd(),
    `# An image of this project: \`docker build -t ${plan.pipelineName.replace(/_/g, "-")} .\`. Secrets are not in it: give`,
    "# them at run time as environment variables (`docker run --env-file FILE ...`), one per name that",
    "# `sage-pipeline deploy docker` printed. The default command is a queue worker; `IMAGE run` runs once.",
    "FROM node:20-slim",
    "ENV NODE_ENV=production",
    `WORKDIR ${IMAGE_WORKDIR}`,
    "# The dependencies first, so that a change of the project's files does not reinstall them.",
    "COPY --chown=node:node package.json package-lock.json ./",
    "RUN npm ci --omit=dev && npm cache clean --force",
    "COPY --chown=node:node . .",
    "# A container's metrics must be reachable from outside it (Prometheus, the kubelet's probes).",
    `ENV RUNTIME__METRICS_HOST=0.0.0.0 RUNTIME__METRICS_PORT=${WORKER_METRICS_PORT}`,
    "# A worker's log says what it does: each job's start and end, the metrics address, the signals.",
    "ENV RUNTIME__LOG_LEVEL=info",
    `EXPOSE ${WORKER_METRICS_PORT}`,
    "USER node",
    "# SIGTERM (docker stop, Kubernetes) lets the step in flight finish, hands the job back and exits 0.",
    "STOPSIGNAL SIGTERM",
    `ENTRYPOINT ${JSON.stringify(IMAGE_ENTRYPOINT)}`,
    `CMD ${JSON.stringify(IMAGE_CMD)}`,
    "",
  ].join("\n");
  const ignore = [
    generatedHeader(plan.provenance, "#").trimEnd(),
    "# Kept out of the build context, so out of the image: secrets, token stores, working dirs, local data.",
    ".dlt/secrets.toml",
    "**/secrets.toml",
    ".env",
    ".env.*",
    "*.pem",
    "*.key",
    "# `sage-pipeline auth login` token stores and pipeline working dirs (a data dir inside the project)",
    ".sage-pipeline/",
    ...o.alsoIgnore,
    "# local DuckDB files and their write-ahead logs",
    "*.duckdb",
    "*.duckdb.wal",
    "# installed in the image by npm ci; never copied from here",
    "node_modules/",
    ".git/",
    ".github/",
    "npm-debug.log*",
    "",
  ].join("\n");
  return [
    { path: "Dockerfile", text: dockerfile },
    { path: ".dockerignore", text: ignore },
  ];
}
