import { type RestClient } from "../rest/index.js";
import { logger } from "../util/logger.js";
import { type Business, listBusinesses } from "./businesses.js";

const log = logger("sage");

/**
 * What the resources of one extract share: the businesses, the server's "now" at the start of
 * the run (where the next run's incremental window starts), and the businesses found without
 * an active subscription, so that each is reported once and skipped by every resource.
 */
export class SageRun {
  private readonly inactive = new Set<string>();
  private readonly said = new Set<string>();

  constructor(
    readonly client: RestClient,
    readonly businesses: Business[],
    readonly serverNow: Date,
  ) {}

  static async start(client: RestClient, wanted: string[] | undefined, signal: AbortSignal): Promise<SageRun> {
    const { businesses, serverNow } = await listBusinesses(client, wanted, signal);
    log.info(`loading ${businesses.length} business(es): ${businesses.map((b) => b.name).join(", ")}`);
    return new SageRun(client, businesses, serverNow);
  }

  isInactive(b: Business): boolean {
    return this.inactive.has(b.id);
  }

  markInactive(b: Business, message: string): void {
    this.inactive.add(b.id);
    this.warnOnce(`inactive:${b.id}`, message);
  }

  warnOnce(key: string, message: string): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    log.warn(message);
  }
}
