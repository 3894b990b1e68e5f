import type { Secret } from "../config/index.js";
import type { Incremental, IncrementalOptions, Item, Resource, ResourceHints } from "../extract/index.js";
import type { HttpResponse, LimiterOptions, QueryValue, RequestAuth } from "../http/index.js";
import type { Paginator } from "./paginators/types.js";

/** dlt's `rest_api` config in camelCase. Types mirror `dlt/sources/rest_api/typing.py`. */

export type HttpMethod = "GET" | "POST";
/** A secret may be given as a plain string (it is registered for scrubbing) or a `Secret`. */
export type SecretValue = string | Secret;

// ---- paginators -------------------------------------------------------------------------

export interface JsonLinkPaginatorConfig {
  type: "json_link";
  nextUrlPath?: string;
}
export interface HeaderLinkPaginatorConfig {
  type: "header_link";
  linksNextKey?: string;
}
export interface HeaderCursorPaginatorConfig {
  type: "header_cursor";
  cursorKey?: string;
  cursorParam?: string;
}
export interface CursorPaginatorConfig {
  type: "cursor";
  cursorPath?: string;
  cursorParam?: string;
  cursorBodyPath?: string;
  stopAfterEmptyPage?: boolean;
  hasMorePath?: string;
}
/** Shared by offset and page-number paginators. `parallel: false` turns off concurrent pages. */
interface RangePaginatorConfigBase {
  /** No default: dlt's implicit `"total"` broke every API without that key. */
  totalPath?: string;
  stopAfterEmptyPage?: boolean;
  hasMorePath?: string;
  parallel?: boolean;
}
export interface OffsetPaginatorConfig extends RangePaginatorConfigBase {
  type: "offset";
  limit: number;
  offset?: number;
  offsetParam?: string;
  limitParam?: string;
  offsetBodyPath?: string;
  limitBodyPath?: string;
  maximumOffset?: number;
}
export interface PageNumberPaginatorConfig extends RangePaginatorConfigBase {
  type: "page_number";
  basePage?: number;
  page?: number;
  pageParam?: string;
  pageBodyPath?: string;
  /** Path of the total number of *items* (Sage's `$total`); pages = ceil(items / page size). */
  totalItemsPath?: string;
  /** Items per page, for `totalItemsPath`; default: the size of the first page. */
  pageSize?: number;
  maximumPage?: number;
}
export interface SinglePagePaginatorConfig {
  type: "single_page";
}
export interface AutoPaginatorConfig {
  type?: "auto";
}

/** Built-in configs by type; augment this interface when you `registerPaginator` your own. */
export interface PaginatorConfigMap {
  json_link: JsonLinkPaginatorConfig;
  header_link: HeaderLinkPaginatorConfig;
  header_cursor: HeaderCursorPaginatorConfig;
  cursor: CursorPaginatorConfig;
  offset: OffsetPaginatorConfig;
  page_number: PageNumberPaginatorConfig;
  single_page: SinglePagePaginatorConfig;
  auto: AutoPaginatorConfig;
}
export type PaginatorType = keyof PaginatorConfigMap;
/** A type name, a `{ type, ...options }` object, a paginator instance or a factory of fresh ones. */
export type PaginatorConfig = PaginatorType | PaginatorConfigMap[PaginatorType] | Paginator | (() => Paginator);

// ---- auth -------------------------------------------------------------------------------

export interface BearerAuthConfig {
  type: "bearer";
  token: SecretValue;
}
export interface ApiKeyAuthConfig {
  type: "api_key";
  /** Header, query parameter or cookie name; default `Authorization`. */
  name?: string;
  apiKey: SecretValue;
  /** `param` is dlt's alias of `query`. */
  location?: "header" | "query" | "param" | "cookie";
}
export interface HttpBasicAuthConfig {
  type: "http_basic";
  username: string;
  password: SecretValue;
}

/** What a token endpoint gave us, handed to `onTokens` before the access token is used. */
export interface OAuthTokens {
  accessToken: Secret;
  /** The refresh token to keep: the rotated one, or the old one when the server did not rotate. */
  refreshToken: Secret | undefined;
  /** When the access token expires. */
  expiresAt: Date;
  /** True when the server returned a new refresh token (and the old one may now be dead). */
  rotated: boolean;
}

interface OAuth2ConfigBase {
  accessTokenUrl: string;
  clientId: SecretValue;
  clientSecret: SecretValue;
  /** Extra form fields for the token request (scope, audience...). */
  accessTokenRequestData?: Record<string, string>;
  /** Seconds, when the token response has no `expires_in` (dlt: 3600). */
  defaultTokenExpiration?: number;
  /** Send the client credentials in the form (default) or as HTTP Basic (RFC 6749 §2.3.1). */
  clientAuthMethod?: "client_secret_post" | "client_secret_basic";
  /** Refresh this many seconds before expiry (default 60, at most a fifth of the lifetime). */
  refreshMargin?: number;
  /** Called with new tokens and awaited before they are used: persist the refresh token here. */
  onTokens?: (tokens: OAuthTokens) => void | Promise<void>;
}
export interface OAuth2ClientCredentialsConfig extends OAuth2ConfigBase {
  type: "oauth2_client_credentials";
}
export interface OAuth2RefreshTokenConfig extends OAuth2ConfigBase {
  type: "oauth2_refresh_token";
  refreshToken: SecretValue;
  /** A still-valid access token from a previous run, if any. */
  accessToken?: SecretValue;
  /** When `accessToken` expires (Date, epoch ms or ISO string); unknown means "until a 401". */
  expiresAt?: Date | number | string;
}

/** Built-in configs by type; augment when you `registerAuth` your own. */
export interface AuthConfigMap {
  bearer: BearerAuthConfig;
  api_key: ApiKeyAuthConfig;
  http_basic: HttpBasicAuthConfig;
  oauth2_client_credentials: OAuth2ClientCredentialsConfig;
  oauth2_refresh_token: OAuth2RefreshTokenConfig;
}
export type AuthType = keyof AuthConfigMap;
/**
 * A `{ type, ... }` object, `{ token }` (bearer, as in dlt), a type name whose fields come from
 * config/secrets (`sources.<source>.token`), or any `RequestAuth` instance.
 */
export type AuthConfig = AuthConfigMap[AuthType] | { token: SecretValue } | AuthType | RequestAuth;

// ---- endpoint and resources ---------------------------------------------------------------

export type ResponseCallback = (
  response: HttpResponse,
  // A callback may only look at the response (dlt's hooks return nothing): `void` is the honest type.
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
) => HttpResponse | void | "ignore" | Promise<HttpResponse | void | "ignore">;
/** `{ statusCode: 404, action: "ignore" }`, a content match, or a callback run on every response. */
export type ResponseAction =
  { statusCode?: number; content?: string; action: "ignore" | ResponseCallback | ResponseCallback[] } | ResponseCallback;

/** dlt's legacy path parameter: `params: { id: { type: "resolve", resource: "issues", field: "number" } }`. */
export interface ResolveParamConfig {
  type: "resolve";
  resource: string;
  field: string;
}
export type ParamValue = QueryValue | ResolveParamConfig;

export interface IncrementalConfig<T = unknown> extends IncrementalOptions<T> {
  /** Maps the cursor value to what the API expects, for placeholders and start/end params. */
  convert?: (value: unknown) => unknown;
  /** dlt's older form: put the start value in this query parameter. Prefer placeholders. */
  startParam?: string;
  endParam?: string;
}

export interface Endpoint {
  /** Relative to `client.baseUrl` (joined, never resolved against the host root), or absolute. Default: the resource name. */
  path?: string;
  method?: HttpMethod;
  params?: Record<string, ParamValue>;
  json?: unknown;
  data?: string | Record<string, string | number | boolean>;
  paginator?: PaginatorConfig;
  /** JSONPath of the items in the response; auto-detected when absent. */
  dataSelector?: string;
  responseActions?: ResponseAction[];
  incremental?: IncrementalConfig | Incremental;
  headers?: Record<string, string | Secret>;
  auth?: AuthConfig;
}

export type ProcessingStep =
  { filter: (item: Item) => boolean } | { map: (item: Item) => unknown } | { yieldMap: (item: Item) => Iterable<unknown> };

export interface EndpointResourceBase extends Omit<ResourceHints, "name" | "incremental"> {
  endpoint?: string | Endpoint;
  processingSteps?: ProcessingStep[];
  /** Parent fields copied into each child item as `_<parent>_<field>`. */
  includeFromParent?: string[];
}

export interface EndpointResource extends EndpointResourceBase {
  name: string;
}

export interface ClientConfig {
  baseUrl: string;
  headers?: Record<string, string | Secret>;
  auth?: AuthConfig;
  paginator?: PaginatorConfig;
  /** Per-host limits for this source (not in dlt, which has no proactive rate limiting). */
  limiter?: LimiterOptions;
}

export interface RESTAPIConfig {
  client: ClientConfig;
  resourceDefaults?: EndpointResourceBase;
  resources: Array<string | EndpointResource | Resource>;
}
