import type { ConfigResolver } from "../config/index.js";
import { Secret } from "../config/index.js";
import { ConfigError } from "../util/errors.js";
import { DEFAULT_RESOURCES, getEndpoint } from "./catalog/index.js";

export const SAGE_SECTION = ["sources", "sage_accounting_source"] as const;
export const DEFAULT_BASE_URL = "https://api.accounting.sage.com/v3.1";

/** Everything the Sage source can be told in code; each key also reads from
 * `[sources.sage_accounting_source]` (snake_case) and `SOURCES__SAGE_ACCOUNTING_SOURCE__<KEY>`. */
export interface SageAccountingOptions {
  baseUrl?: string;
  accessToken?: string | Secret;
  clientId?: string;
  clientSecret?: string | Secret;
  refreshToken?: string | Secret;
  tokenUrl?: string;
  /** Path of the token store written by `sage-pipeline auth login` (default under the data dir). */
  tokenStore?: string;
  businesses?: string[];
  resources?: string[];
  itemsPerPage?: number;
  /** First run only: load rows changed since this ISO date-time instead of everything. */
  initialUpdatedSince?: string;
  /** Remove deleted rows instead of keeping them with `deleted_at` set. */
  hardDelete?: boolean;
  /** Requests in flight at once (Sage allows 150 per app). */
  maxConcurrency?: number;
  requestsPerSecond?: number;
  /** Incremental windows start this many seconds before the previous run started. */
  overlapSeconds?: number;
}

export interface ResolvedSageOptions {
  baseUrl: string;
  accessToken?: Secret;
  clientId?: string;
  clientSecret?: Secret;
  refreshToken?: Secret;
  tokenUrl?: string;
  tokenStore?: string;
  businesses?: string[];
  resources: string[];
  itemsPerPage: number;
  initialUpdatedSince?: string;
  hardDelete: boolean;
  maxConcurrency: number;
  requestsPerSecond?: number;
  overlapSeconds: number;
}

/** The seed's resource names and what they load here (the README's table says the same). */
export const RESOURCE_ALIASES: Readonly<Record<string, readonly string[]>> = {
  invoices: ["sales_invoices", "purchase_invoices"],
  payments: ["contact_payments", "other_payments"],
};

/** Expand aliases and check every name against the catalog (with did-you-mean). */
export function expandResources(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (!name) continue;
    for (const n of RESOURCE_ALIASES[name] ?? [name]) {
      const spec = getEndpoint(n);
      if (!out.includes(spec.name)) out.push(spec.name);
    }
  }
  if (out.length === 0)
    throw new ConfigError("no Sage resources selected", {
      hint: `leave resources unset for the defaults: ${DEFAULT_RESOURCES.join(", ")}`,
    });
  return out;
}

function pick<T>(value: T | undefined, fallback: () => T | undefined): T | undefined {
  return value !== undefined ? value : fallback();
}

export function resolveSageOptions(o: SageAccountingOptions, config: ConfigResolver): ResolvedSageOptions {
  const s = SAGE_SECTION;
  const itemsPerPage = pick(o.itemsPerPage, () => config.number(s, "items_per_page")) ?? 200;
  if (!Number.isInteger(itemsPerPage) || itemsPerPage < 1 || itemsPerPage > 200) {
    throw new ConfigError(`items_per_page must be an integer from 1 to 200 (Sage's maximum), got ${itemsPerPage}`, {
      hint: "set [sources.sage_accounting_source] items_per_page = 200",
    });
  }
  const maxConcurrency = pick(o.maxConcurrency, () => config.number(s, "max_concurrency")) ?? 10;
  const since = pick(o.initialUpdatedSince, () => config.string(s, "initial_updated_since"));
  if (since !== undefined && Number.isNaN(Date.parse(since))) {
    throw new ConfigError(`initial_updated_since must be an ISO date or date-time, got ${JSON.stringify(since)}`, {
      hint: 'for example initial_updated_since = "2024-01-01T00:00:00Z"',
    });
  }
  const secret = (v: string | Secret | undefined, key: string) => (v !== undefined ? Secret.from(v) : config.secret(s, key));
  const resolved: ResolvedSageOptions = {
    baseUrl: (pick(o.baseUrl, () => config.string(s, "base_url")) ?? DEFAULT_BASE_URL).replace(/\/+$/, ""),
    resources: expandResources(pick(o.resources, () => config.list(s, "resources")) ?? DEFAULT_RESOURCES),
    itemsPerPage,
    hardDelete: pick(o.hardDelete, () => config.boolean(s, "hard_delete")) ?? false,
    maxConcurrency,
    overlapSeconds: pick(o.overlapSeconds, () => config.number(s, "overlap_seconds")) ?? 120,
  };
  const optional: Partial<ResolvedSageOptions> = {
    accessToken: secret(o.accessToken, "access_token"),
    clientId: pick(o.clientId, () => config.string(s, "client_id")),
    clientSecret: secret(o.clientSecret, "client_secret"),
    refreshToken: secret(o.refreshToken, "refresh_token"),
    tokenUrl: pick(o.tokenUrl, () => config.string(s, "token_url")),
    tokenStore: pick(o.tokenStore, () => config.string(s, "token_store")),
    businesses: pick(o.businesses, () => config.list(s, "businesses")),
    initialUpdatedSince: since,
    requestsPerSecond: pick(o.requestsPerSecond, () => config.number(s, "requests_per_second")),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (resolved as unknown as Record<string, unknown>)[k] = v;
  return resolved;
}
