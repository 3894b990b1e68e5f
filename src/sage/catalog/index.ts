import { ConfigError } from "../../util/errors.js";
import { ENDPOINTS, SPEC_INFO } from "./endpoints.generated.js";
import { closestNames } from "./closest-names.js";
import type { EndpointSpec, SubscriptionTier } from "./types.js";

export type {
  AccessRule,
  EndpointFilters,
  EndpointKind,
  EndpointSpec,
  FieldRef,
  NestedArraySpec,
  QueryParamSpec,
  RowTraits,
  SageCountry,
  SpecInfo,
  SubscriptionTier,
} from "./types.js";
export { SPEC_INFO };
export { columnDescription, tableDescription } from "./field-docs.js";

/** Every collection GET of Sage Accounting v3.1 (78 paged lists and 7 settings singletons). */
export const catalog: readonly EndpointSpec[] = ENDPOINTS;

/** The resources a default Sage pipeline loads: the accounting records plus their master data. */
export const DEFAULT_RESOURCES: readonly string[] = Object.freeze([
  "contacts",
  "contact_persons",
  "addresses",
  "sales_invoices",
  "sales_credit_notes",
  "sales_quick_entries",
  "purchase_invoices",
  "purchase_credit_notes",
  "purchase_quick_entries",
  "contact_payments",
  "contact_allocations",
  "other_payments",
  "bank_accounts",
  "bank_transfers",
  "bank_deposits",
  "journals",
  "ledger_accounts",
  "ledger_entries",
  "transactions",
  "products",
  "services",
  "stock_items",
  "tax_rates",
  "financial_settings",
]);

const byName = new Map(ENDPOINTS.map((e) => [e.name, e]));

export function findEndpoint(name: string): EndpointSpec | undefined {
  return byName.get(normalizeName(name));
}

/** The catalog entry for `name` (`sales_invoices`, `/sales_invoices` or `SalesInvoices` style). */
export function getEndpoint(name: string): EndpointSpec {
  const found = findEndpoint(name);
  if (found) return found;
  const close = closestNames(normalizeName(name), [...byName.keys()], 3);
  throw new ConfigError(`Unknown Sage endpoint "${name}".`, {
    hint:
      close.length > 0
        ? `Did you mean ${close.map((c) => `"${c}"`).join(", ")}? Every name is listed by the catalog export.`
        : "The catalog lists every Sage v3.1 collection endpoint by its snake_case name, e.g. sales_invoices.",
  });
}

export function listEndpoints(kind?: EndpointSpec["kind"]): readonly EndpointSpec[] {
  return kind ? ENDPOINTS.filter((e) => e.kind === kind) : ENDPOINTS;
}

/** Whether Sage serves the endpoint for a business in `country` on `tier` (otherwise 404). */
export function isAvailable(endpoint: EndpointSpec, country: string, tier: SubscriptionTier): boolean {
  return endpoint.availability[tier].includes(country.toLowerCase());
}

/** Whether a user with roles in `grantedAreas` may read the endpoint (otherwise 403). */
export function isPermitted(endpoint: EndpointSpec, grantedAreas: Iterable<string>): boolean {
  if (endpoint.areas.length === 0) return true;
  const granted = new Set(grantedAreas);
  return endpoint.areas.some((a) => granted.has(a));
}

function normalizeName(name: string): string {
  return name
    .trim()
    .replace(/^\/+/, "")
    .replace(/^v3\.1\//, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[-\s]+/g, "_")
    .toLowerCase();
}
