export { DEPLOY_TARGETS, runDeploy, type DeployOptions, type DeployResult, type DeployTarget } from "./run-deploy.js";
export { collectDeployEnv, type DeployEnv, type DeploySecret, type DeploySetting } from "./deploy-env.js";
export { generatedHeader, type DeployFile, type Provenance } from "./deploy-file.js";
export { IMAGE_CMD, IMAGE_ENTRYPOINT, IMAGE_WORKDIR } from "./docker.js";
export { QUEUE_URL_SECRET, kubeName } from "./kubernetes.js";
export { PROJECT_CLI, WORKER_METRICS_PORT } from "./plan.js";
