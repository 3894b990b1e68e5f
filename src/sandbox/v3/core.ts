import { isoTime, SECONDS_PER_DAY } from "../format.js";
import type { SandboxState } from "../state.js";
import { SUBSCRIPTION_IDS, TIER_NAMES, type BusinessProfile } from "../world/businesses.js";
import { codeLabel, countryProfile } from "../world/code-lists.js";
import type { Rec } from "../world/world.js";

/** `GET /businesses/{id}`: name, address, country, subscriptions (the tier and whether it is active). */
export function renderBusiness(state: SandboxState, b: BusinessProfile): Rec {
  const profile = countryProfile(b.country);
  const cc = b.country.toUpperCase();
  const created = isoTime(state.clock.start - 800 * SECONDS_PER_DAY + b.index * 3600);
  return {
    id: b.id,
    displayed_as: b.name,
    $path: `/businesses/${b.id}`,
    name: b.name,
    address_line_1: `${10 + b.index} Market Square`,
    city: profile.cities[0],
    postal_code: b.country === "gb" ? "EC1A 1BB" : "00000",
    country: { id: cc, displayed_as: codeLabel("countries", cc), $path: `/countries/${cc}` },
    telephone: `${profile.phonePrefix} 7946 0${String(100 + b.index).slice(-3)}`,
    website: `https://www.${b.name.toLowerCase().replace(/[^a-z]+/g, "")}.example.com`,
    is_demo: false,
    subscriptions: [{ id: SUBSCRIPTION_IDS[b.tier], displayed_as: TIER_NAMES[b.tier], active: b.subscriptionActive }],
    created_at: created,
    updated_at: created,
  };
}

export function businessStub(b: BusinessProfile): Rec {
  return { id: b.id, displayed_as: b.name, $path: `/businesses/${b.id}` };
}

/** `GET /user`: the person the token belongs to. */
export function renderUser(state: SandboxState): Rec {
  const u = state.user;
  return {
    id: u.id,
    displayed_as: `${u.first_name} ${u.last_name}`,
    $path: "/user",
    first_name: u.first_name,
    last_name: u.last_name,
    initials: u.initials,
    email: u.email,
    locale: u.locale,
  };
}
