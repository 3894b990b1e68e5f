export { restApiSource, type RestApiSourceOptions } from "./source.js";
export { restApiResources, buildRestApi, type RestApiOptions } from "./resources.js";
export { RestClient, type RestClientOptions, type PaginateCallOptions } from "./rest-client.js";
export { paginate, type Page, type PaginateOptions } from "./paginate.js";
export { validateConfig } from "./validation/validate-config.js";
export { detectDataSelector, selectItems } from "./selector.js";
export { joinUrl, resolveNextUrl } from "./url.js";
export {
  CursorPaginator, HeaderCursorPaginator, HeaderLinkPaginator, JsonLinkPaginator, NextUrlPaginator, OffsetPaginator,
  PageNumberPaginator, RangePaginator, SinglePagePaginator, cloneRequest, createPaginator, detectPaginator, registerPaginator,
  type Detection, type PageRequest, type Paginator, type PaginatorContext, type PaginatorRegistration,
} from "./paginators/index.js";
export {
  ApiKeyAuth, BearerTokenAuth, HttpBasicAuth, OAuth2ClientCredentialsAuth, OAuth2RefreshTokenAuth, OAuth2TokenAuth, createAuth,
  registerAuth, type AuthRegistration,
} from "./auth/index.js";
export type {
  ApiKeyAuthConfig, AuthConfig, AuthConfigMap, AuthType, AutoPaginatorConfig, BearerAuthConfig, ClientConfig, CursorPaginatorConfig,
  Endpoint, EndpointResource, EndpointResourceBase, HeaderCursorPaginatorConfig, HeaderLinkPaginatorConfig, HttpBasicAuthConfig,
  HttpMethod, IncrementalConfig, JsonLinkPaginatorConfig, OAuth2ClientCredentialsConfig, OAuth2RefreshTokenConfig, OAuthTokens,
  OffsetPaginatorConfig, PageNumberPaginatorConfig, PaginatorConfig, PaginatorConfigMap, PaginatorType, ParamValue, ProcessingStep,
  RESTAPIConfig, ResolveParamConfig, ResponseAction, ResponseCallback, SecretValue, SinglePagePaginatorConfig,
} from "./types.js";
