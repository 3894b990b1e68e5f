import { Rng } from "./random.js";

/** An HTTP status to answer with, or "drop": headers and half a body, then the socket is destroyed. */
export type FaultKind = 429 | 500 | 502 | 503 | 504 | "drop";

export interface FaultRule {
  /** Path to match: "/contacts" matches /v3.1/contacts and /v3.1/contacts/{id}; full paths work too. Omitted: any. */
  path?: string;
  /** Only requests for this business id (X-Business, or the lead business). */
  business?: string;
  fault: FaultKind;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  /** Retry-After seconds sent with 429/503 (default 1). */
  retryAfterSeconds?: number;
}

export interface FaultSettings {
  /** Probability of a random fault per API request (v3.1 and SA). */
  faultRate?: number;
  /** Scheduled faults, consumed in order of the list. Replaces the current schedule unless `append`. */
  rules?: FaultRule[];
  append?: boolean;
}

export interface Fault {
  kind: FaultKind;
  retryAfterSeconds: number;
}

const RANDOM_KINDS: readonly FaultKind[] = [429, 503, "drop"];

function pathMatches(rulePath: string, pathname: string): boolean {
  const candidates = [pathname, pathname.replace(/^\/v3\.1/, ""), pathname.replace(/^\/api\/2\.0\.0/, "")];
  return candidates.some((p) => p === rulePath || p.startsWith(`${rulePath}/`));
}

/** Decides, per request, whether to misbehave: first the explicit schedule, then the random rate. */
export class FaultInjector {
  private rules: Array<FaultRule & { left: number }> = [];
  private rate: number;
  private readonly rng: Rng;

  constructor(seed: number, rate: number) {
    this.rng = new Rng(seed, 0xfa017);
    this.rate = rate;
  }

  configure(settings: FaultSettings): void {
    if (settings.faultRate !== undefined) {
      if (!(settings.faultRate >= 0 && settings.faultRate <= 1)) throw new Error("faultRate must be between 0 and 1");
      this.rate = settings.faultRate;
    }
    if (settings.rules !== undefined) {
      const fresh = settings.rules.map((r) => ({ ...r, left: r.times ?? 1 }));
      this.rules = settings.append ? [...this.rules, ...fresh] : fresh;
    }
  }

  pending(): number {
    return this.rules.reduce((s, r) => s + r.left, 0);
  }

  /** `random`: whether the random rate applies to this request (it does for API calls, not OAuth). */
  next(pathname: string, business: string | null, random: boolean): Fault | undefined {
    const rule = this.rules.find(
      (r) =>
        r.left > 0 &&
        (r.path === undefined || pathMatches(r.path, pathname)) &&
        (r.business === undefined || r.business === business),
    );
    if (rule) {
      rule.left--;
      this.rules = this.rules.filter((r) => r.left > 0);
      return { kind: rule.fault, retryAfterSeconds: rule.retryAfterSeconds ?? 1 };
    }
    if (random && this.rate > 0 && this.rng.next() < this.rate)
      return { kind: this.rng.pick(RANDOM_KINDS), retryAfterSeconds: 1 };
    return undefined;
  }
}
