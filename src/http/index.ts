export { HttpClient, type HttpClientOptions } from "./client.js";
export {
  AuthenticationError,
  BudgetExceededError,
  ConnectionError,
  HttpError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseFormatError,
  ServerError,
  createHttpError,
  bodyExcerpt,
  kindOfStatus,
  REST_HINT_WORDS,
  type HintWords,
  type HttpErrorDetails,
} from "./errors.js";
export { onRequestEvent, type RequestEvent, type RequestEventListener } from "./events.js";
export {
  ALLOWANCE_FLOOR,
  BudgetSpent,
  HostLimiter,
  LimiterRegistry,
  RECOVERY_MS,
  DEFAULT_MAX_CONCURRENCY,
  type LimiterOptions,
  type LimiterStats,
  type LimiterTicket,
  type SharedLimit,
  type SharedPacer,
  type SharedTicket,
  setSharedLimit,
  setSharedPacer,
} from "./limiter.js";
export { type PaceWindow, windowOf } from "./rate-window.js";
export { orderedParallel } from "./ordered-parallel.js";
export { redactBody } from "./redact-body.js";
export {
  buildUrl,
  type HttpRequestInit,
  type HttpRequester,
  type OutgoingRequest,
  type QueryScalar,
  type QueryValue,
  type RequestAuth,
  type ResponseVerdict,
} from "./request-init.js";
export { HttpResponse, parseLinkHeader } from "./response.js";
export { parseJsonBody } from "./json-body.js";
export { DEFAULT_RETRY_POLICY, backoffDelayMs, isRetryableStatus, parseRetryAfter, type RetryPolicy } from "./retry.js";
export { RUNTIME_SPEC, resolveRetryPolicy } from "./runtime-config.js";
