import { ConfigError } from "../util/errors.js";
import type { SubscriptionTier } from "../sage/catalog/index.js";

/** Overrides for one simulated business (by position: the first entry is the lead business). */
export interface BusinessProfileInput {
  name?: string;
  /** ca | de | es | fr | gb | ie | us */
  country?: string;
  tier?: SubscriptionTier;
  /** Access-control areas the user has no role in (`Bank`, `Sales`...): those endpoints answer 403. */
  deniedAreas?: string[];
  /** false: every business-scoped call answers 401 "No active subscription. (MSE)". */
  subscriptionActive?: boolean;
}

/** Everything `sage-pipeline sandbox` and the tests can tune. */
export interface SandboxOptions {
  /** 0 picks a free port. */
  port: number;
  /** Number of businesses the sandbox user can access (and of SA companies). */
  businesses: number;
  /** 1 ≈ 5,000 sales invoices per business; everything else in proportion. */
  scale: number;
  /** Added to every API response. */
  latencyMs: number;
  seed: number;
  /** Probability that an API request gets a random 429, 503 or dropped connection. */
  faultRate: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  authorizationCodeTtlSeconds: number;
  /** Sage allows 150 concurrent requests per app; more answer 429. */
  maxConcurrent: number;
  clientId: string;
  clientSecret: string;
  /** Put in front of every access and refresh token issued (tests: canary tokens a leak scan can find). */
  tokenPrefix: string;
  /** Accepted redirect URIs on the authorize page; empty accepts any http(s) URL. */
  redirectUris: string[];
  businessProfiles: BusinessProfileInput[];
  /** Sage One South Africa API credentials. */
  saApiKey: string;
  saUsername: string;
  saPassword: string;
  /** Requests per minute per API key + company + user before the SA API blocks. */
  saRequestsPerMinute: number;
  /** How long an SA block lasts; every call while blocked extends it. */
  saBlockSeconds: number;
  /** Log one line per request (method, path, status; never credentials) at info level. */
  logRequests: boolean;
}

export const DEFAULT_SANDBOX_OPTIONS: Readonly<SandboxOptions> = Object.freeze({
  port: 0,
  businesses: 2,
  scale: 1,
  latencyMs: 0,
  seed: 42,
  faultRate: 0,
  accessTokenTtlSeconds: 300,
  refreshTokenTtlSeconds: 2_678_400,
  authorizationCodeTtlSeconds: 60,
  maxConcurrent: 150,
  clientId: "sandbox-client-id",
  clientSecret: "sandbox-client-secret",
  tokenPrefix: "",
  redirectUris: [],
  businessProfiles: [],
  saApiKey: "{3F2B9C4E-7D1A-4E8B-9C55-0A6D2E7F1B83}",
  saUsername: "sandbox@example.com",
  saPassword: "sandbox-password",
  saRequestsPerMinute: 100,
  saBlockSeconds: 3600,
  logRequests: false,
});

const COUNTRIES = new Set(["ca", "de", "es", "fr", "gb", "ie", "us"]);
const TIERS = new Set(["start", "standard", "plus"]);

/** Defaults filled in and every value checked; bad values raise ConfigError (CLI exit code 2). */
export function resolveSandboxOptions(input: Partial<SandboxOptions> = {}): SandboxOptions {
  // An option passed as undefined (a CLI flag left out) keeps its default.
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => (v as unknown) !== undefined));
  const o: SandboxOptions = { ...DEFAULT_SANDBOX_OPTIONS, ...defined };
  const int = (name: keyof SandboxOptions, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = o[name];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      throw new ConfigError(`Sandbox option ${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}.`);
    }
  };
  int("port", 0, 65535);
  // Firms hold hundreds of businesses; the scale test runs 200.
  int("businesses", 1, 1000);
  int("latencyMs", 0, 60_000);
  int("seed", 0);
  int("accessTokenTtlSeconds", 1);
  int("refreshTokenTtlSeconds", 1);
  int("authorizationCodeTtlSeconds", 1);
  int("maxConcurrent", 1);
  int("saRequestsPerMinute", 1);
  int("saBlockSeconds", 1);
  if (!(typeof o.scale === "number" && o.scale > 0 && o.scale <= 100)) {
    throw new ConfigError(`Sandbox option scale must be a number in (0, 100], got ${String(o.scale)}.`);
  }
  if (!(typeof o.faultRate === "number" && o.faultRate >= 0 && o.faultRate <= 1)) {
    throw new ConfigError(`Sandbox option faultRate must be between 0 and 1, got ${String(o.faultRate)}.`);
  }
  for (const [i, p] of o.businessProfiles.entries()) {
    if (p.country !== undefined && !COUNTRIES.has(p.country.toLowerCase())) {
      throw new ConfigError(`Sandbox business ${i + 1}: unknown country "${p.country}".`, {
        hint: `Sage v3.1 serves ${[...COUNTRIES].join(", ")}.`,
      });
    }
    if (p.tier !== undefined && !TIERS.has(p.tier)) {
      throw new ConfigError(`Sandbox business ${i + 1}: unknown tier "${p.tier}" (start, standard or plus).`);
    }
  }
  return o;
}
