import type { ConfigResolver } from "../config/index.js";
import { listLoginBusinesses } from "../sage/index.js";
import type { BusinessJob, ScheduleData } from "./queue.js";

/** What to enqueue: the businesses (undefined or empty: all of the login's), resources and names. */
export interface JobPlan extends ScheduleData {
  origin: string;
}

/**
 * One job per business of the configured Sage login, businesses listed from Sage's
 * `/businesses` through the Sage source's own client (an unknown id fails with the list of
 * the ones the login can see).
 */
export async function planBusinessJobs(config: ConfigResolver, plan: JobPlan, signal: AbortSignal): Promise<BusinessJob[]> {
  const wanted = plan.businesses && plan.businesses.length > 0 ? plan.businesses : undefined;
  const { login, businesses } = await listLoginBusinesses(config, wanted, signal);
  return businesses.map((b) => ({
    login,
    businessId: b.id,
    businessName: b.name,
    ...(plan.resources && plan.resources.length > 0 ? { resources: plan.resources } : {}),
    pipelineName: plan.pipelineName,
    datasetName: plan.datasetName,
    origin: plan.origin,
  }));
}
