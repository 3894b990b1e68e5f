import { type ConfigResolver, ConfigValueError, configSpec, field, type OptionsOf, type ValuesOf } from "../config/index.js";
import { DEFAULT_MAX_CONCURRENCY } from "../http/index.js";
import { ConfigError } from "../util/errors.js";
import { catalog, DEFAULT_RESOURCES, getEndpoint } from "./catalog/index.js";
import { checkCadence } from "./reconcile.js";

export const SAGE_SECTION = ["sources", "sage_accounting_source"] as const;
export const DEFAULT_BASE_URL = "https://api.accounting.sage.com/v3.1";

/** Sage's page-size ceiling, from the catalog (the smallest `itemsPerPageMax` of its paged lists). */
export const ITEMS_PER_PAGE_MAX = Math.min(...catalog.flatMap((e) => (e.paging ? [e.paging.itemsPerPageMax] : [])));

/**
 * Credentials and URLs are never taken from a bare top-level key (dlt's last fallback): tools
 * set `BASE_URL`, `CLIENT_ID` or `ACCESS_TOKEN` for their own purposes (Vite sets BASE_URL=/).
 */
const section = "section" as const;

const httpUrl = (v: string) => (/^https?:\/\/[^/\s]+/i.test(v) && URL.canParse(v) ? undefined : "must be an http(s) URL");
const isoDate = (v: string) => (Number.isNaN(Date.parse(v)) ? "must be an ISO date or date-time" : undefined);

/** `[sources.sage_accounting_source]` (env `SOURCES__SAGE_ACCOUNTING_SOURCE__<KEY>`); options in code win. */
export const SAGE_SPEC = configSpec({
  title: "Sage Accounting source",
  section: SAGE_SECTION,
  fields: {
    baseUrl: field.string({ doc: "API base", default: DEFAULT_BASE_URL, check: httpUrl, lookup: section }),
    clientId: field.string({ doc: "your app's client id (from the Sage developer portal)", file: "secrets", lookup: section }),
    clientSecret: field.secret({ doc: "your app's client secret", lookup: section }),
    refreshToken: field.secret({
      doc: "seed refresh token, if you do not use `auth login` (rotations go to the token store)",
      hidden: true,
      lookup: section,
    }),
    accessToken: field.secret({
      doc: "a token to use as is (Sage's last 5 minutes), instead of OAuth",
      hidden: true,
      lookup: section,
    }),
    tokenUrl: field.string({ doc: "OAuth token endpoint", defaultDoc: "Sage's", check: httpUrl, hidden: true, lookup: section }),
    authorizeUrl: field.string({
      doc: "OAuth login page (`auth login`)",
      defaultDoc: "Sage's",
      check: httpUrl,
      hidden: true,
      lookup: section,
    }),
    tokenStore: field.string({
      doc: "the file `auth login` writes the tokens to (mode 0600)",
      defaultDoc: "`~/.sage-pipeline/tokens/sage_accounting.json`",
      hidden: true,
      lookup: section,
    }),
    businesses: field.list({
      doc: "business ids to load",
      defaultDoc: "every business of the login",
      example: ["<business id>"],
    }),
    resources: field.list({
      doc: "resource names: any catalog endpoint, or the aliases `invoices`, `payments`",
      default: DEFAULT_RESOURCES,
      defaultDoc: "the defaults below",
      example: ["contacts", "invoices", "payments", "products", "tax_rates"],
    }),
    itemsPerPage: field.integer({
      doc: "page size (Sage's maximum is the fastest)",
      default: ITEMS_PER_PAGE_MAX,
      min: 1,
      max: ITEMS_PER_PAGE_MAX,
    }),
    initialUpdatedSince: field.string({
      doc: "first run only: load rows changed since this ISO date-time instead of everything",
      check: isoDate,
      example: "2024-01-01T00:00:00Z",
    }),
    hardDelete: field.boolean({ doc: "remove deleted rows instead of keeping them with `deleted_at`", default: false }),
    reconcileEvery: field.string({
      doc: "incremental runs list the ids of endpoints without `deleted_since` this often, to find rows Sage hard-deleted: a duration (`12h`, `1d`), `always` (or 0) or `never`",
      default: "1d",
      check: checkCadence,
      example: "1d",
    }),
    maxConcurrency: field.integer({
      doc: "requests in flight at once (the per-host limiter also backs off on 429)",
      default: DEFAULT_MAX_CONCURRENCY,
      positive: true,
    }),
    requestsPerSecond: field.number({
      doc: "pace requests to at most this rate (Sage allows 15 a second per app on average)",
      defaultDoc: "no limit",
      example: 10,
      positive: true,
    }),
    overlapSeconds: field.number({
      doc: "incremental windows start this many seconds before the previous run started",
      default: 120,
      min: 0,
      hidden: true,
    }),
  },
});

/** Everything the Sage source can be told in code; each key also reads from SAGE_SPEC's section. */
export type SageAccountingOptions = Omit<OptionsOf<typeof SAGE_SPEC>, "authorizeUrl">;

/** The options resolved and checked, resources expanded. */
export type ResolvedSageOptions = Omit<ValuesOf<typeof SAGE_SPEC>, "authorizeUrl">;

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

/** Options first, then `[sources.sage_accounting_source]` (env, .dlt/secrets.toml, .dlt/config.toml...). */
export function resolveSageOptions(options: SageAccountingOptions, config: ConfigResolver): ResolvedSageOptions {
  const c = config.resolve(SAGE_SPEC, options);
  const { authorizeUrl: _authorizeUrl, ...values } = c.values;
  let resources: string[];
  try {
    resources = expandResources(values.resources);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // The catalog's message and did-you-mean, plus where the names came from.
    throw new ConfigValueError(
      "resources",
      c.origin("resources"),
      `${err.message} (resources, from ${c.where("resources")})`,
      err.hint ?? "",
    );
  }
  return { ...values, baseUrl: values.baseUrl.replace(/\/+$/, ""), resources };
}
