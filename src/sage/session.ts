import { SourceError } from "../extract/index.js";
import type { RestClient } from "../rest/index.js";
import { ConfigError } from "../util/errors.js";
import { logger } from "../util/logger.js";
import { type Business, listBusinesses } from "./businesses.js";
import { sageAuthError } from "./errors.js";

const log = logger("sage");

/**
 * One extract's view of the Sage login, shared by all its resources: the businesses to read,
 * the server's "now" when the run started (where the next run's incremental windows start), and
 * the businesses found without an active subscription, so each is reported once and skipped by
 * every resource.
 */
export class SageSession {
  private readonly inactive = new Set<string>();
  /** Warnings already given, by key: each is said once per run. */
  private readonly warned = new Set<string>();

  constructor(
    readonly client: RestClient,
    readonly businesses: Business[],
    readonly serverNow: Date,
  ) {}

  /**
   * List the businesses (`GET /businesses`). Its failure stops the whole extract (a SourceError
   * that names the business list, not whichever resource asked first).
   */
  static async start(client: RestClient, wanted: string[] | undefined, signal: AbortSignal): Promise<SageSession> {
    try {
      const { businesses, serverNow } = await listBusinesses(client, wanted, signal);
      log.info(`loading ${businesses.length} business(es): ${businesses.map((b) => `"${b.name}" (${b.id})`).join(", ")}`);
      return new SageSession(client, businesses, serverNow);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const auth = sageAuthError(err);
      if (auth !== err) throw auth;
      throw SourceError.from(err);
    }
  }

  isInactive(b: Business): boolean {
    return this.inactive.has(b.id);
  }

  markInactive(b: Business, message: string): void {
    this.inactive.add(b.id);
    this.warnOnce(`inactive:${b.id}`, message);
  }

  warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    log.warn(message);
  }
}

/** `business "Acme Ltd" (1f2e…)`: how every per-business message names it. */
export function describeBusiness(b: Business): string {
  return `business "${b.name}" (${b.id})`;
}
