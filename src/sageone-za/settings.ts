import { type ConfigResolver, configSpec, field, type OptionsOf, type Secret } from "../config/index.js";
import type { RetryPolicy } from "../http/index.js";
import { SAGE_ONE_ZA_RESOURCES } from "./resources.js";

export const SAGE_ONE_ZA_SECTIONS = ["sources", "sage_one_za_source"] as const;
export const DEFAULT_SAGE_ONE_ZA_BASE_URL = "https://accounting.sageone.co.za/api/2.0.0";

const unknownResources = (names: readonly string[]) => {
  const unknown = names.filter((n) => !SAGE_ONE_ZA_RESOURCES.includes(n));
  return unknown.length > 0
    ? `has unknown resource ${unknown.join(", ")}; choose from: ${SAGE_ONE_ZA_RESOURCES.join(", ")}`
    : undefined;
};

/**
 * `[sources.sage_one_za_source]` (env `SOURCES__SAGE_ONE_ZA_SOURCE__<KEY>`). dlt's lookup falls
 * back to the bare key, but `USERNAME` is set for every Windows user and `PASSWORD` / `API_KEY`
 * are common variable names of other tools: the credentials (and `base_url`: Vite sets
 * `BASE_URL`) are never taken from the top level (`lookup: "section"`).
 */
export const SAGE_ONE_ZA_SPEC = configSpec({
  title: "Sage One South Africa source",
  section: SAGE_ONE_ZA_SECTIONS,
  missingTitle: "Sage One South Africa credentials",
  missingHint: "the API key is the one Sage issued for your integration, the username and password are the Sage login",
  fields: {
    apiKey: field.secret({ doc: "the API key Sage issued for your integration", required: true, lookup: "section" }),
    username: field.string({ doc: "the Sage login (an email address)", required: true, lookup: "section", file: "secrets" }),
    password: field.secret({ doc: "the Sage login's password", required: true, lookup: "section" }),
    baseUrl: field.string({
      doc: "API base",
      default: DEFAULT_SAGE_ONE_ZA_BASE_URL,
      lookup: "section",
      check: (v) =>
        /^https?:\/\/[^/]/i.test(v) ? undefined : `must be an http(s) URL; the API lives at ${DEFAULT_SAGE_ONE_ZA_BASE_URL}`,
    }),
    companies: field.integers({
      doc: "company ids to load (the ID field of Company/Get)",
      defaultDoc: "every company the user can see",
      expected: "Sage company ids (integers)",
      positive: true,
    }),
    resources: field.list({
      doc: "resource names",
      default: SAGE_ONE_ZA_RESOURCES,
      defaultDoc: "all of them",
      check: unknownResources,
    }),
    requestsPerSecond: field.number({
      doc: "pacing per company (Sage advises at most one request a second)",
      default: 1,
      positive: true,
    }),
    requestsPerMinute: field.number({
      doc: "hard cap per company and minute (at 100 Sage blocks the IP for an hour)",
      default: 90,
      positive: true,
    }),
    dailyBudget: field.integer({
      doc: "requests per company and UTC day in this process (Sage's allowance)",
      default: 5000,
      positive: true,
    }),
    maxConcurrency: field.integer({
      doc: "requests in flight at once per company; the rates above still apply",
      default: 4,
      positive: true,
    }),
    overlapSeconds: field.number({
      doc: "re-read this much before the last run's start on incremental lists",
      default: 600,
      positive: true,
      hidden: true,
    }),
  },
});

/** Everything the source can be told in code; each value overrides `[sources.sage_one_za_source]`. */
export type SageOneZaOptions = OptionsOf<typeof SAGE_ONE_ZA_SPEC> & {
  /** Retry settings for 5xx and dropped connections (default: `[runtime]` config). 429 is never retried. */
  retry?: Partial<RetryPolicy>;
};

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

/** Options first, then `[sources.sage_one_za_source]` (env, .dlt/secrets.toml, .dlt/config.toml...). */
export function resolveSageOneZaSettings(options: SageOneZaOptions, config: ConfigResolver): SageOneZaSettings {
  const { retry, ...explicit } = options;
  const v = config.resolve(SAGE_ONE_ZA_SPEC, explicit).values;
  return {
    baseUrl: v.baseUrl.replace(/\/+$/, ""),
    apiKey: v.apiKey,
    username: v.username,
    password: v.password,
    companies: v.companies && v.companies.length > 0 ? v.companies : undefined,
    resources: v.resources.length > 0 ? [...new Set(v.resources)] : [...SAGE_ONE_ZA_RESOURCES],
    requestsPerSecond: v.requestsPerSecond,
    requestsPerMinute: v.requestsPerMinute,
    dailyBudget: v.dailyBudget,
    maxConcurrency: v.maxConcurrency,
    overlapMs: v.overlapSeconds * 1000,
    retry,
  };
}
