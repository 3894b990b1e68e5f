import { stringify } from "yaml";
import { type DeployFile, generatedHeader } from "./deploy-file.js";
import { type DeployPlan, WORKER_METRICS_PORT } from "./plan.js";

/** The secret that carries the queue URL (the worker's `--queue $(QUEUE_URL)` and the CronJob's). */
export const QUEUE_URL_SECRET = "RUNTIME__QUEUE_URL";

export interface KubernetesOptions {
  readonly image: string;
  readonly replicas: number;
  /** Longer than a pipeline step: SIGTERM lets the step in flight finish before the pod is killed. */
  readonly gracePeriodSeconds: number;
  /** `enqueue --businesses`: `all` or ids. */
  readonly businesses: string;
  /** A single-writer destination (DuckDB) runs one worker, and never two during a rollout. */
  readonly singleWriter: boolean;
}

/** A Kubernetes name (DNS-1123 label, short enough for a CronJob's 52) from a pipeline name. */
export function kubeName(pipelineName: string): string {
  const name = pipelineName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return name || "sage-pipeline";
}

const yaml = (header: string, doc: unknown) => `${header}${stringify(doc, { lineWidth: 0 })}`;

/**
 * The queue workers on Kubernetes: a worker Deployment (probes on /healthz, Prometheus
 * annotations, a grace period longer than a step), the Secret it reads (names only), a CronJob
 * that runs `enqueue` on the schedule, and a README about the Postgres the queue lives in.
 */
export function kubernetesFiles(plan: DeployPlan, o: KubernetesOptions): DeployFile[] {
  const app = kubeName(plan.pipelineName);
  const secretName = `${app}-secrets`;
  const labels = (component: string) => ({
    "app.kubernetes.io/name": "sage-pipeline",
    "app.kubernetes.io/instance": app,
    "app.kubernetes.io/component": component,
  });
  const explicit = new Set(["RUNTIME__METRICS_HOST", "RUNTIME__METRICS_PORT", "RUNTIME__LOG_FORMAT", "QUEUE_URL"]);
  const env = [
    { name: "QUEUE_URL", valueFrom: { secretKeyRef: { name: secretName, key: QUEUE_URL_SECRET } } },
    ...plan.env.settings.filter((s) => !explicit.has(s.name)).map((s) => ({ name: s.name, value: s.value })),
  ];
  const container = (name: string, args: string[]) => ({
    name,
    image: o.image,
    args,
    env,
    envFrom: [{ secretRef: { name: secretName } }],
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
  });
  const podSecurity = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 };
  const h = (what: string[]) => `${generatedHeader(plan.provenance, "#")}${what.map((l) => `# ${l}\n`).join("")}`;

  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: secretName, labels: labels("config") },
    type: "Opaque",
    stringData: Object.fromEntries(plan.env.secrets.map((s) => [s.name, ""])),
  };
  const probe = (periodSeconds: number) => ({
    httpGet: { path: "/healthz", port: "metrics" },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold: 3,
  });
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `${app}-worker`, labels: labels("worker") },
    spec: {
      replicas: o.singleWriter ? 1 : o.replicas,
      selector: { matchLabels: labels("worker") },
      // A single writer must never overlap with its successor: stop the old pod first.
      strategy: o.singleWriter
        ? { type: "Recreate" }
        : { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
      template: {
        metadata: {
          labels: labels("worker"),
          annotations: {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": String(WORKER_METRICS_PORT),
            "prometheus.io/path": "/metrics",
          },
        },
        spec: {
          terminationGracePeriodSeconds: o.gracePeriodSeconds,
          securityContext: podSecurity,
          containers: [
            {
              ...container("worker", [
                "worker",
                "--queue",
                "$(QUEUE_URL)",
                "--destination",
                plan.destination,
                "--metrics-port",
                String(WORKER_METRICS_PORT),
                "--log-format",
                "json",
              ]),
              env: [...env, { name: "RUNTIME__METRICS_HOST", value: "0.0.0.0" }],
              ports: [{ name: "metrics", containerPort: WORKER_METRICS_PORT }],
              livenessProbe: { ...probe(20), initialDelaySeconds: 10 },
              readinessProbe: probe(10),
              resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } },
            },
          ],
        },
      },
    },
  };
  const cronJob = {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: `${app}-enqueue`, labels: labels("enqueue") },
    spec: {
      schedule: plan.schedule,
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 3,
          // Exit 2 means the config must change: retrying would not help.
          podFailurePolicy: {
            rules: [{ action: "FailJob", onExitCodes: { containerName: "enqueue", operator: "In", values: [2] } }],
          },
          template: {
            metadata: { labels: labels("enqueue") },
            spec: {
              restartPolicy: "Never",
              securityContext: podSecurity,
              containers: [
                {
                  ...container("enqueue", [
                    "enqueue",
                    "--queue",
                    "$(QUEUE_URL)",
                    "--businesses",
                    o.businesses,
                    "--pipeline-name",
                    plan.pipelineName,
                    "--dataset-name",
                    plan.datasetName,
                  ]),
                  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
                },
              ],
            },
          },
        },
      },
    },
  };
  return [
    {
      path: "kubernetes/secret.yaml",
      text: yaml(
        h([
          "A template: fill in each value (stringData takes them as they are) and never commit the filled file.",
          `Or leave it and run: kubectl create secret generic ${secretName} --from-env-file=FILE (one NAME=value a line).`,
        ]),
        secret,
      ),
    },
    {
      path: "kubernetes/worker-deployment.yaml",
      text: yaml(
        h([
          `Queue workers for ${plan.pipelineName} (${plan.source} -> ${plan.destination}, dataset ${plan.datasetName}), image ${o.image}.`,
          `SIGTERM lets the step in flight finish and hands the job back; terminationGracePeriodSeconds (${o.gracePeriodSeconds})`,
          "must stay longer than your longest step, and below [runtime] job_lease_seconds.",
          `/healthz (probes) and /metrics (Prometheus, the annotations) on port ${WORKER_METRICS_PORT}.`,
        ]),
        deployment,
      ),
    },
    {
      path: "kubernetes/enqueue-cronjob.yaml",
      text: yaml(
        h([
          `Puts one job per business on the queue on "${plan.schedule}" (UTC). Use this or a schedule in the queue`,
          "(sage-pipeline schedule add NAME --cron ...), not both, or each business runs twice per tick.",
        ]),
        cronJob,
      ),
    },
    { path: "kubernetes/README.md", text: kubernetesReadme(plan, o, app, secretName) },
  ];
}

function kubernetesReadme(plan: DeployPlan, o: KubernetesOptions, app: string, secretName: string): string {
  const names = plan.env.secrets.map((s) => `* \`${s.name}\` — ${s.where}`);
  return `${generatedHeader(plan.provenance, "html")}
# ${plan.pipelineName} on Kubernetes

Workers (\`${app}-worker\`, ${o.singleWriter ? "one replica: DuckDB takes one writer" : `${o.replicas} replicas`}) take jobs, one business each, from the
queue; the CronJob \`${app}-enqueue\` puts one job per business on it on \`${plan.schedule}\` (UTC). All of them
load into the dataset \`${plan.datasetName}\` on ${plan.destination}.

## The Postgres the queue needs
The queue engine is pg-boss on PostgreSQL (13 or newer). One database holds, in the schema
\`[runtime] queue_schema\` (default \`sage_pipeline_queue\`): the jobs and their retries, the schedules, the
worker registry, the per-business locks, the app-wide Sage limiter (concurrent requests, the daily
budget, the 429 back-off), each business's failures in a row, and **the shared Sage token store**.

* Run it outside the pods that use it (a managed Postgres, or a StatefulSet with a persistent volume): the
  daily budget and the rotated refresh tokens must survive every pod. Back it up.
* The role in \`RUNTIME__QUEUE_URL\` needs CREATE on the database the first time (the workers create the
  schema and tables) and read/write on that schema afterwards.
* Each worker holds a few connections (the engine's pool, one per business lock, one per token refresh):
  allow about 5 per replica plus the CronJob's.
* The token rows are credentials: let only these workloads reach the database (a NetworkPolicy), and keep
  the schema private to their role.
* It may be the same server as a Postgres destination, in another schema.

## Apply
1. Build and push the image: \`sage-pipeline deploy docker\`, then \`docker build -t ${o.image} .\` and push it.
2. Fill in \`secret.yaml\` (or \`kubectl create secret generic ${secretName} --from-env-file=FILE\`); the names:
${names.length > 0 ? names.join("\n") : "* (none besides the queue URL)"}
3. \`kubectl apply -f kubernetes/\`, then \`kubectl logs -l app.kubernetes.io/instance=${app} -f\` (JSON lines).
4. \`sage-pipeline jobs --queue <the queue URL>\` from any machine shows queued, running, failed and done jobs.

## Operate
* Scale with \`kubectl scale deployment ${app}-worker --replicas N\`: the workers share one app-wide Sage
  limit through the queue's store, so more replicas never exceed Sage's 150 concurrent requests.
* A stopped or evicted pod finishes its step and hands its job back; a killed one's job comes back after
  \`[runtime] job_lease_seconds\`, and the load protocol keeps the data exactly once.
* Alerts: set \`RUNTIME__ALERT_WEBHOOK_URL\` in the Secret (a Slack-compatible webhook): a job parked as failed,
  a business failing \`[runtime] alert_failures_in_a_row\` jobs in a row, the daily budget past 80%.
`;
}
