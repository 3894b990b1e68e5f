import { getEndpoint, isAvailable } from "../sage/catalog/index.js";
import { isoTime } from "./format.js";
import { renderSingleton } from "./render/settings.js";
import { renderSa, type SaRecord } from "./sa/sa-data.js";
import type { SandboxState } from "./state.js";
import type { BusinessProfile } from "./world/businesses.js";
import type { Rec } from "./world/world.js";

export type BusinessSelector = string | number;

export interface StoreRecordsOptions {
  /** Also return soft-deleted rows of `deleted_at` resources (the API shows those only via deleted_since). */
  includeDeleted?: boolean;
  /** Include `payments_allocations` on artefacts, as `show_payments_allocations=true` does. */
  showPaymentsAllocations?: boolean;
}

export interface StoreBusiness {
  id: string;
  name: string;
  country: string;
  tier: string;
  currency: string;
  lead: boolean;
  deniedAreas: readonly string[];
  subscriptionActive: boolean;
}

/**
 * Read access to the sandbox's data, for tests that compare what a pipeline loaded with what
 * the API holds. Records are exactly what the API returns with `attributes=all`, in the
 * default (creation) order.
 */
export class SandboxStore {
  constructor(private readonly state: SandboxState) {}

  get businesses(): StoreBusiness[] {
    return this.state.businesses.map((b) => ({
      id: b.id,
      name: b.name,
      country: b.country,
      tier: b.tier,
      currency: b.currency,
      lead: b.index === 0,
      deniedAreas: b.deniedAreas,
      subscriptionActive: b.subscriptionActive,
    }));
  }

  get saCompanies(): Array<{ id: number; name: string }> {
    return this.state.sa.companies.map((c) => ({ id: c.ID, name: c.Name }));
  }

  /** The sandbox's current time (what the next mutation will move beyond). */
  now(): string {
    return isoTime(this.state.clock.now());
  }

  /** Whether the API serves `resource` for this business's country and tier (else it answers 404). */
  isAvailable(business: BusinessSelector, resource: string): boolean {
    const b = this.business(business);
    return isAvailable(getEndpoint(resource), b.country, b.tier);
  }

  /** What a full, unfiltered list returns with attributes=all (`[]` where the API answers 404). */
  records(business: BusinessSelector, resource: string, options: StoreRecordsOptions = {}): Rec[] {
    const b = this.business(business);
    const endpoint = getEndpoint(resource);
    if (endpoint.kind === "singleton") throw new Error(`${resource} is a singleton: use store.singleton()`);
    if (!isAvailable(endpoint, b.country, b.tier)) return [];
    const w = this.state.world(b);
    return w
      .table(resource)
      .rows.filter((r) => !r.gone && (options.includeDeleted || endpoint.rows.deletedFlag || r.deletedAt === null))
      .map((r) => w.render(resource, r, { showPaymentsAllocations: options.showPaymentsAllocations ?? false }));
  }

  count(business: BusinessSelector, resource: string, options: StoreRecordsOptions = {}): number {
    const b = this.business(business);
    const endpoint = getEndpoint(resource);
    if (!isAvailable(endpoint, b.country, b.tier)) return 0;
    return this.state
      .world(b)
      .table(resource)
      .rows.filter((r) => !r.gone && (options.includeDeleted || endpoint.rows.deletedFlag || r.deletedAt === null)).length;
  }

  record(business: BusinessSelector, resource: string, id: string): Rec | undefined {
    const b = this.business(business);
    const w = this.state.world(b);
    const row = w.table(resource).find(id);
    return row && !row.gone ? w.render(resource, row) : undefined;
  }

  singleton(business: BusinessSelector, resource: string): Rec {
    return renderSingleton(this.state.world(this.business(business)), resource);
  }

  /** SA API records of one company and service, as `<Service>/Get` returns them (all pages). */
  saRecords(company: number, service: string, options: { includeDetail?: boolean } = {}): SaRecord[] {
    const c = this.state.sa.company(company);
    const svc = this.state.sa.service(service);
    if (!c || !svc) throw new Error(`unknown SA company ${company} or service ${service}`);
    return this.state.sa.rows(c, svc).map((r) => renderSa(r, options.includeDetail ?? false));
  }

  private business(selector: BusinessSelector): BusinessProfile {
    const b = this.state.business(selector);
    if (!b) throw new Error(`unknown sandbox business ${String(selector)}`);
    return b;
  }
}
