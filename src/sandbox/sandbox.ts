import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getEndpoint } from "../sage/catalog/index.js";
import type { TokenResponse } from "./auth/token-store.js";
import type { FaultSettings } from "./faults.js";
import { isoTime } from "./format.js";
import type { SandboxOptions } from "./options.js";
import type { SaMutationRequest, SaMutationResult } from "./sa/sa-state.js";
import type { SandboxState } from "./state.js";
import { countRequests, type RequestFilter, type SandboxStatsSnapshot } from "./stats.js";
import { SandboxStore, type BusinessSelector } from "./store.js";
import { MutationError, mutateWorld, type MutationResult } from "./world/mutate.js";

export interface MutateRequest {
  /** Business id or 0-based position; default: the lead business. */
  business?: BusinessSelector;
  /** Any list endpoint name; default: sales_invoices. */
  resource?: string;
  updates?: number;
  creates?: number;
  deletes?: number;
  /**
   * Hard-delete this many rows (any live row) of an endpoint without `deleted_since` and without
   * a `deleted` flag: they vanish from lists and `GET /{id}` answers 404. Refused elsewhere.
   */
  hardDeletes?: number;
}

export interface SandboxInfo {
  url: string;
  apiBaseUrl: string;
  tokenUrl: string;
  authorizeUrl: string;
  saBaseUrl: string;
  clientId: string;
  saUsername: string;
  businesses: SandboxStore["businesses"];
  saCompanies: SandboxStore["saCompanies"];
  now: string;
}

/** A running sandbox. Create one with `startSandbox()`; always `close()` it. */
export class Sandbox {
  readonly url: string;
  readonly apiBaseUrl: string;
  readonly tokenUrl: string;
  readonly authorizeUrl: string;
  readonly saBaseUrl: string;
  readonly store: SandboxStore;

  constructor(
    private readonly server: Server,
    private readonly state: SandboxState,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.apiBaseUrl = `${this.url}/v3.1`;
    this.tokenUrl = `${this.url}/oauth/token`;
    this.authorizeUrl = `${this.url}/oauth2/auth/central?filter=apiv3.1`;
    this.saBaseUrl = `${this.url}/api/2.0.0`;
    this.store = new SandboxStore(state);
  }

  get options(): Readonly<SandboxOptions> {
    return this.state.options;
  }

  /** Request counts per (path, business, status), peak concurrency, token counters. */
  get stats(): SandboxStatsSnapshot {
    return this.state.stats.snapshot();
  }

  requestCount(filter: RequestFilter = {}): number {
    return countRequests(this.stats, filter);
  }

  resetStats(): void {
    this.state.stats.reset();
  }

  /** Tokens as if the user had just logged in and approved (skips the browser step). */
  issueTokens(scope = "full_access"): TokenResponse {
    return this.state.tokens.issue(scope);
  }

  /** Every access token issued so far is expired from now on; refresh tokens stay valid. */
  expireAccessTokens(): number {
    return this.state.tokens.expireAccessTokens();
  }

  /** Change data: later `updated_at`s, new rows, deletions. Moves the sandbox clock forward. */
  mutate(request: MutateRequest = {}): MutationResult {
    const business = this.state.business(request.business);
    if (!business) throw new MutationError(`unknown sandbox business ${String(request.business)}`);
    const resource = getEndpoint(request.resource ?? "sales_invoices").name;
    const none =
      request.updates === undefined &&
      request.creates === undefined &&
      request.deletes === undefined &&
      request.hardDeletes === undefined;
    const now = this.state.clock.advance(3600 + this.state.mutationRng.int(0, 59));
    return mutateWorld(
      this.state.world(business),
      resource,
      {
        updates: none ? 1 : Math.max(0, request.updates ?? 0),
        creates: Math.max(0, request.creates ?? 0),
        deletes: Math.max(0, request.deletes ?? 0),
        hardDeletes: Math.max(0, request.hardDeletes ?? 0),
      },
      this.state.mutationRng,
      now,
    );
  }

  mutateSa(request: SaMutationRequest = {}): SaMutationResult {
    return this.state.sa.mutate(request);
  }

  /** Replace (or with `append`, extend) the fault schedule, or change the random fault rate. Returns pending scheduled faults. */
  setFaults(settings: FaultSettings): number {
    this.state.faults.configure(settings);
    return this.state.faults.pending();
  }

  resetSaLimits(): void {
    this.state.sa.resetLimits();
  }

  now(): string {
    return isoTime(this.state.clock.now());
  }

  /** Generate every business's accounting data now (it is otherwise built on first request). */
  warmUp(): void {
    for (const b of this.state.businesses) this.state.world(b).ensureCore();
  }

  info(): SandboxInfo {
    return {
      url: this.url,
      apiBaseUrl: this.apiBaseUrl,
      tokenUrl: this.tokenUrl,
      authorizeUrl: this.authorizeUrl,
      saBaseUrl: this.saBaseUrl,
      clientId: this.state.options.clientId,
      saUsername: this.state.options.saUsername,
      businesses: this.store.businesses,
      saCompanies: this.store.saCompanies,
      now: this.now(),
    };
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((err) => {
        if (err) reject(err);
        else resolve();
      });
      this.server.closeAllConnections();
    });
  }
}
