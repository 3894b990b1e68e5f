import { ConfigResolver, Secret, envName } from "../config/index.js";
import type { RetryPolicy } from "../http/index.js";
import { ConfigError } from "../util/errors.js";
import { SAGE_ONE_ZA_RESOURCES } from "./resources.js";

/** Everything the source can be told in code; each value overrides `[sources.sage_one_za_source]`. */
export interface SageOneZaOptions {
  /** Default `https://accounting.sageone.co.za/api/2.0.0`. */
  baseUrl?: string;
  apiKey?: string | Secret;
  /** The Sage login (an email address). */
  username?: string;
  password?: string | Secret;
  /** Company ids to load; default: every company `Company/Get` lists. */
  companies?: Array<number | string>;
  /** Resource names (or a comma-separated string); default: all of SAGE_ONE_ZA_RESOURCES. */
  resources?: string[] | string;
  /** Pacing per company (default 1: Sage advises at most one request a second). */
  requestsPerSecond?: number;
  /** Hard cap per company and minute (default 90: at 100 Sage blocks the IP for an hour). */
  requestsPerMinute?: number;
  /** Requests per company and UTC day in this process (default 5,000, Sage's daily allowance). */
  dailyBudget?: number;
  /** Requests in flight at once per company (default 4); the rates above still apply. */
  maxConcurrency?: number;
  /** Re-read this much before the last run's start on incremental lists (default 600 s). */
  overlapSeconds?: number;
  /** Retry settings for 5xx and dropped connections (default: `[runtime]` config). 429 is never retried. */
  retry?: Partial<RetryPolicy>;
}

/** Options and config resolved, checked and defaulted. */
export interface SageOneZaSettings {
  baseUrl: string;
  apiKey: Secret;
  username: string;
  password: Secret;
  companies: number[] | undefined;
  resources: string[];
  requestsPerSecond: number;
  requestsPerMinute: number;
  dailyBudget: number;
  maxConcurrency: number;
  overlapMs: number;
  retry: Partial<RetryPolicy> | undefined;
}

export const SAGE_ONE_ZA_SECTIONS = ["sources", "sage_one_za_source"] as const;
export const DEFAULT_SAGE_ONE_ZA_BASE_URL = "https://accounting.sageone.co.za/api/2.0.0";
const SECTION = `[${SAGE_ONE_ZA_SECTIONS.join(".")}]`;
const env = (key: string) => envName([...SAGE_ONE_ZA_SECTIONS, key]);

/**
 * dlt's lookup falls back to the bare key, but `USERNAME` is set for every Windows user and
 * `PASSWORD` / `API_KEY` are common variable names of other tools: a credential found only at
 * the top level is not taken for the Sage login.
 */
function credential(config: ConfigResolver, key: "api_key" | "username" | "password"): string | undefined {
  const found = config.find(SAGE_ONE_ZA_SECTIONS, key);
  if (!found) return undefined;
  const bare = config.findExact([], key);
  if (bare && bare.where === found.where) return undefined;
  return config.string(SAGE_ONE_ZA_SECTIONS, key);
}

function positive(value: number | undefined, key: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new ConfigError(`${SECTION} ${key} must be a positive ${integer ? "integer" : "number"}, got ${String(value)}`, {
      hint: `fix ${key} in .dlt/config.toml or ${env(key)}`,
    });
  }
  return value;
}

function companyIds(values: Array<number | string> | undefined): number[] | undefined {
  if (values === undefined) return undefined;
  const ids = values.map((v) => (typeof v === "number" ? v : Number(String(v).trim())));
  const bad = values.filter((_, i) => !Number.isSafeInteger(ids[i]) || (ids[i] as number) <= 0);
  if (bad.length > 0) {
    throw new ConfigError(
      `${SECTION} companies must be Sage company ids (integers), got ${bad.map((b) => JSON.stringify(b)).join(", ")}`,
      {
        hint: "the ids are the ID field of Company/Get; leave companies out to load every company the user can see",
      },
    );
  }
  return ids.length > 0 ? [...new Set(ids)] : undefined;
}

function resourceNames(value: string[] | string | undefined): string[] {
  if (value === undefined) return [...SAGE_ONE_ZA_RESOURCES];
  const names = (typeof value === "string" ? value.split(",") : value).map((n) => n.trim()).filter((n) => n.length > 0);
  const unknown = names.filter((n) => !SAGE_ONE_ZA_RESOURCES.includes(n));
  if (unknown.length > 0) {
    throw new ConfigError(`${SECTION} resources: unknown resource ${unknown.join(", ")}`, {
      hint: `choose from: ${SAGE_ONE_ZA_RESOURCES.join(", ")}`,
    });
  }
  return names.length > 0 ? [...new Set(names)] : [...SAGE_ONE_ZA_RESOURCES];
}

/** Options first, then `[sources.sage_one_za_source]` (env, .dlt/secrets.toml, .dlt/config.toml...). */
export function resolveSageOneZaSettings(
  options: SageOneZaOptions = {},
  config: ConfigResolver = ConfigResolver.fromCwd(),
): SageOneZaSettings {
  const s = SAGE_ONE_ZA_SECTIONS;
  const apiKey = options.apiKey ?? credential(config, "api_key");
  const username = options.username ?? credential(config, "username");
  const rawPassword = options.password ?? credential(config, "password");
  const missing = [
    apiKey ? undefined : "api_key",
    username ? undefined : "username",
    rawPassword ? undefined : "password",
  ].filter((k): k is string => k !== undefined);
  if (missing.length > 0 || !apiKey || !username || !rawPassword) {
    throw new ConfigError(`Sage One South Africa credentials missing: ${missing.join(", ")}`, {
      hint:
        `put them under ${SECTION} in .dlt/secrets.toml (api_key = "...", username = "...", password = "...") ` +
        `or set ${missing.map(env).join(", ")}; the API key is the one Sage issued for your integration, the username and password are the Sage login`,
    });
  }
  const baseUrl = (options.baseUrl ?? config.string(s, "base_url") ?? DEFAULT_SAGE_ONE_ZA_BASE_URL).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]/i.test(baseUrl)) {
    throw new ConfigError(`${SECTION} base_url must be an http(s) URL, got ${JSON.stringify(baseUrl)}`, {
      hint: `the API lives at ${DEFAULT_SAGE_ONE_ZA_BASE_URL}`,
    });
  }
  return {
    baseUrl,
    apiKey: Secret.from(apiKey),
    username,
    password: Secret.from(rawPassword),
    companies: companyIds(options.companies ?? config.list(s, "companies")),
    resources: resourceNames(options.resources ?? config.list(s, "resources")),
    requestsPerSecond: positive(options.requestsPerSecond ?? config.number(s, "requests_per_second"), "requests_per_second", 1),
    requestsPerMinute: positive(options.requestsPerMinute ?? config.number(s, "requests_per_minute"), "requests_per_minute", 90),
    dailyBudget: positive(options.dailyBudget ?? config.number(s, "daily_budget"), "daily_budget", 5000, true),
    maxConcurrency: positive(options.maxConcurrency, "max_concurrency", 4, true),
    overlapMs: (options.overlapSeconds === undefined ? 600 : positive(options.overlapSeconds, "overlap_seconds", 600)) * 1000,
    retry: options.retry,
  };
}
