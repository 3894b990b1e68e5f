/**
 * The Sage sandbox: a local HTTP server that behaves like Sage Business Cloud Accounting v3.1
 * (OAuth, envelopes, paging traps, filters, 401/403/404/429, faults) and like the Sage One
 * South Africa API, with deterministic, realistic data. Used by the demo, the tests and the
 * benchmarks.
 */
export { Sandbox, type MutateRequest, type SandboxInfo } from "./sandbox.js";
export { startSandbox } from "./start.js";
export { DEFAULT_SANDBOX_OPTIONS, resolveSandboxOptions, type BusinessProfileInput, type SandboxOptions } from "./options.js";
export { SandboxStore, type BusinessSelector, type StoreBusiness, type StoreRecordsOptions } from "./store.js";
export { countRequests, type RequestCount, type RequestFilter, type SandboxStatsSnapshot } from "./stats.js";
export type { FaultKind, FaultRule, FaultSettings } from "./faults.js";
export type { TokenResponse } from "./auth/token-store.js";
export type { ChangeSet, MutationResult } from "./world/changes.js";
export { MutationError } from "./world/mutate.js";
export type { SaMutationRequest, SaMutationResult } from "./sa/sa-state.js";
export { SA_RATE_LIMIT_MESSAGE } from "./sa/sa-router.js";
export { SA_SERVICES, type SaRecord, type SaService } from "./sa/sa-data.js";
