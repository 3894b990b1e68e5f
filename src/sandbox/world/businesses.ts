import type { SubscriptionTier } from "../../sage/catalog/index.js";
import type { BusinessProfileInput, SandboxOptions } from "../options.js";
import { hexId } from "../random.js";
import { countryProfile } from "./code-lists.js";

export interface BusinessProfile {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly country: string;
  readonly tier: SubscriptionTier;
  readonly currency: string;
  readonly deniedAreas: readonly string[];
  readonly subscriptionActive: boolean;
  /** The month (1-12) the financial year ends in, on its last day (varied, so models meet more than December). */
  readonly yearEndMonth: number;
}

/**
 * Default businesses, cycled when more are asked for. The second one is an Irish business on
 * Accounting Standard, so a default sandbox already answers 404 for Plus-only endpoints
 * (stock_items, stock_movements) on one business, exactly as Sage does.
 */
const PRESETS: ReadonlyArray<{ name: string; country: string; tier: SubscriptionTier; yearEndMonth: number }> = [
  { name: "Brightwater Trading Ltd", country: "gb", tier: "plus", yearEndMonth: 3 },
  { name: "Harbour & Pine Ltd", country: "ie", tier: "standard", yearEndMonth: 12 },
  // A February year end: 29 February in leap years.
  { name: "Maple Ridge Supplies Inc.", country: "ca", tier: "plus", yearEndMonth: 2 },
  { name: "Golden Gate Studio LLC", country: "us", tier: "start", yearEndMonth: 9 },
  { name: "Atelier Lumière SARL", country: "fr", tier: "start", yearEndMonth: 12 },
  { name: "Soluciones Costa SL", country: "es", tier: "plus", yearEndMonth: 6 },
];

/** Sage's `subscriptions[].id` per tier (the Best Practices page lists aliases too). */
export const SUBSCRIPTION_IDS: Readonly<Record<SubscriptionTier, string>> = {
  start: "START",
  standard: "ACCOUNTS",
  plus: "ACCOUNTING",
};

export const TIER_NAMES: Readonly<Record<SubscriptionTier, string>> = {
  start: "Accounting Start",
  standard: "Accounting Standard",
  plus: "Accounting Plus",
};

export function resolveBusinesses(options: SandboxOptions): BusinessProfile[] {
  return Array.from({ length: options.businesses }, (_, index) => {
    const preset = PRESETS[index % PRESETS.length]!;
    const input: BusinessProfileInput = options.businessProfiles[index] ?? {};
    const cycle = Math.floor(index / PRESETS.length);
    const country = (input.country ?? preset.country).toLowerCase();
    return {
      index,
      id: hexId(options.seed, 0xb05, index),
      name: input.name ?? (cycle === 0 ? preset.name : `${preset.name} ${cycle + 1}`),
      country,
      tier: input.tier ?? preset.tier,
      currency: countryProfile(country).currency,
      deniedAreas: [...(input.deniedAreas ?? [])],
      subscriptionActive: input.subscriptionActive ?? true,
      yearEndMonth: preset.yearEndMonth,
    };
  });
}
