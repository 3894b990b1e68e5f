/** One counter: requests to `path` for `business` that ended with `status` (0: connection dropped). */
export interface RequestCount {
  path: string;
  business: string | null;
  status: number;
  count: number;
}

export interface SandboxStatsSnapshot {
  totalRequests: number;
  requests: RequestCount[];
  /** Most v3.1 requests in flight at once since the last reset. */
  maxConcurrency: number;
  inFlight: number;
  tokensIssued: number;
  tokensRefreshed: number;
  /** Refresh requests that sent a refresh token already rotated away (each one a bug in the client). */
  refreshTokensReused: number;
  codesIssued: number;
  faultsInjected: number;
  /** SA API requests refused by the per-minute limit. */
  saBlocked: number;
}

export interface RequestFilter {
  path?: string;
  /** Matches paths that start with this (e.g. "/v3.1/sales_invoices"). */
  pathPrefix?: string;
  business?: string | null;
  status?: number;
}

export class SandboxStats {
  private counts = new Map<string, RequestCount>();
  inFlight = 0;
  maxConcurrency = 0;
  tokensIssued = 0;
  tokensRefreshed = 0;
  refreshTokensReused = 0;
  codesIssued = 0;
  faultsInjected = 0;
  saBlocked = 0;

  record(path: string, business: string | null, status: number): void {
    const key = `${path}\u0000${business ?? ""}\u0000${status}`;
    const hit = this.counts.get(key);
    if (hit) hit.count++;
    else this.counts.set(key, { path, business, status, count: 1 });
  }

  enter(): number {
    this.inFlight++;
    if (this.inFlight > this.maxConcurrency) this.maxConcurrency = this.inFlight;
    return this.inFlight;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  reset(): void {
    this.counts = new Map();
    this.maxConcurrency = this.inFlight;
    this.tokensIssued = 0;
    this.tokensRefreshed = 0;
    this.refreshTokensReused = 0;
    this.codesIssued = 0;
    this.faultsInjected = 0;
    this.saBlocked = 0;
  }

  snapshot(): SandboxStatsSnapshot {
    const requests = [...this.counts.values()].map((c) => ({ ...c }));
    return {
      totalRequests: requests.reduce((s, c) => s + c.count, 0),
      requests,
      maxConcurrency: this.maxConcurrency,
      inFlight: this.inFlight,
      tokensIssued: this.tokensIssued,
      tokensRefreshed: this.tokensRefreshed,
      refreshTokensReused: this.refreshTokensReused,
      codesIssued: this.codesIssued,
      faultsInjected: this.faultsInjected,
      saBlocked: this.saBlocked,
    };
  }
}

/** Sum of the counters a filter matches, e.g. `countRequests(sb.stats, { path: "/v3.1/contacts", status: 200 })`. */
export function countRequests(stats: SandboxStatsSnapshot, filter: RequestFilter = {}): number {
  return stats.requests
    .filter(
      (c) =>
        (filter.path === undefined || c.path === filter.path) &&
        (filter.pathPrefix === undefined || c.path.startsWith(filter.pathPrefix)) &&
        (filter.business === undefined || c.business === filter.business) &&
        (filter.status === undefined || c.status === filter.status),
    )
    .reduce((s, c) => s + c.count, 0);
}
