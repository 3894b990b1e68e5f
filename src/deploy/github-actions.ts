import { stringify } from "yaml";
import { type DeployFile, generatedHeader } from "./deploy-file.js";
import { type DeployPlan, PROJECT_CLI, runArgs, shellWord } from "./plan.js";

/** `.github/workflows/<pipeline>.yml`: where GitHub reads workflows from. */
export function workflowPath(pipelineName: string): string {
  return `.github/workflows/${pipelineName}.yml`;
}

/**
 * A scheduled workflow that runs the pipeline as `dlt deploy github-action` does: on the cron
 * and on demand, Node 20, `npm ci`, then the project's own `sage-pipeline run`, every secret
 * from the repository's secret store under the project's variable name. One run at a time per
 * pipeline (a run still going when the next tick comes makes it wait, as the pipeline's lock would).
 */
export function githubWorkflow(plan: DeployPlan): DeployFile {
  const env: Record<string, string> = {};
  for (const s of plan.env.settings) env[s.name] = s.value;
  for (const s of plan.env.secrets) env[s.name] = `\${{ secrets.${s.name} }}`;
  const workflow = {
    name: `sage-pipeline ${plan.pipelineName}`,
    on: {
      schedule: [{ cron: plan.schedule }],
      workflow_dispatch: {},
    },
    permissions: { contents: "read" },
    concurrency: { group: `sage-pipeline-${plan.pipelineName}`, "cancel-in-progress": false },
    jobs: {
      run: {
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 120,
        ...(Object.keys(env).length > 0 ? { env } : {}),
        steps: [
          { uses: "actions/checkout@v4" },
          { uses: "actions/setup-node@v4", with: { "node-version": "20", cache: "npm" } },
          { run: "npm ci" },
          { name: `run ${plan.pipelineName}`, run: `${PROJECT_CLI} ${runArgs(plan).map(shellWord).join(" ")}` },
        ],
      },
    },
  };
  const names = plan.env.secrets.map((s) => s.name);
  const header = [
    generatedHeader(plan.provenance, "#"),
    `# Runs ${plan.pipelineName} (${plan.source} -> ${plan.destination}, dataset ${plan.datasetName}) on "${plan.schedule}" (UTC)`,
    "# and from the Actions tab. Add these repository secrets (Settings > Secrets and variables > Actions):",
    ...(names.length > 0 ? names.map((n) => `#   ${n}`) : ["#   (none: the pipeline's config needs no secret)"]),
    "",
  ].join("\n");
  return { path: workflowPath(plan.pipelineName), text: `${header}${stringify(workflow, { lineWidth: 0 })}` };
}
