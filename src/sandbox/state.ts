import { TokenStore } from "./auth/token-store.js";
import { SandboxClock } from "./clock.js";
import { FaultInjector } from "./faults.js";
import type { SandboxOptions } from "./options.js";
import { Rng, hexId } from "./random.js";
import { SaState } from "./sa/sa-state.js";
import { SandboxStats } from "./stats.js";
import { rendererFor } from "./render/registry.js";
import { SelectionCache } from "./v3/select-rows.js";
import { resolveBusinesses, type BusinessProfile } from "./world/businesses.js";
import { worldSizes } from "./world/sizes.js";
import { createWorld } from "./world/create-world.js";
import type { World } from "./world/world.js";

export interface SandboxUser {
  id: string;
  first_name: string;
  last_name: string;
  initials: string;
  email: string;
  locale: string;
}

/** Everything one running sandbox holds; the HTTP handlers and the public API share it. */
export class SandboxState {
  readonly clock: SandboxClock;
  readonly businesses: readonly BusinessProfile[];
  readonly stats = new SandboxStats();
  readonly tokens: TokenStore;
  readonly faults: FaultInjector;
  readonly selections = new SelectionCache();
  readonly user: SandboxUser;
  readonly sa: SaState;
  /** Seeded draws for mutations, so the same sequence of mutate calls gives the same data. */
  readonly mutationRng: Rng;
  private readonly worlds = new Map<string, World>();

  constructor(readonly options: SandboxOptions) {
    this.clock = new SandboxClock(options.seed);
    this.businesses = resolveBusinesses(options);
    this.user = {
      id: hexId(options.seed, 0x05e7),
      first_name: "Sam",
      last_name: "Sandbox",
      initials: "SS",
      email: "sam.sandbox@example.com",
      locale: "en-GB",
    };
    this.tokens = new TokenStore(
      {
        accessTokenTtlSeconds: options.accessTokenTtlSeconds,
        refreshTokenTtlSeconds: options.refreshTokenTtlSeconds,
        authorizationCodeTtlSeconds: options.authorizationCodeTtlSeconds,
        userId: this.user.id,
        tokenPrefix: options.tokenPrefix,
      },
      this.stats,
    );
    this.faults = new FaultInjector(options.seed, options.faultRate);
    this.mutationRng = new Rng(options.seed, 0x3a7e);
    this.sa = new SaState(options, this.clock);
  }

  get lead(): BusinessProfile {
    return this.businesses[0]!;
  }

  /** A business by id, or by 0-based position. */
  business(selector: string | number | undefined): BusinessProfile | undefined {
    if (selector === undefined) return this.lead;
    if (typeof selector === "number") return this.businesses[selector];
    return this.businesses.find((b) => b.id === selector);
  }

  world(business: BusinessProfile): World {
    let w = this.worlds.get(business.id);
    if (!w) {
      w = createWorld(business, this.options.seed, worldSizes(this.options.scale), this.clock, rendererFor);
      this.worlds.set(business.id, w);
    }
    return w;
  }
}
