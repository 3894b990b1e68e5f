export { sageAccountingSource, SAGE_SOURCE_NAME, listLoginBusinesses } from "./source.js";
export type { Business } from "./businesses.js";
export { type SageAccountingOptions, RESOURCE_ALIASES, DEFAULT_BASE_URL, expandResources } from "./options.js";
export { SagePaginator } from "./paginator.js";
export {
  catalog,
  columnDescription,
  DEFAULT_RESOURCES,
  getEndpoint,
  findEndpoint,
  listEndpoints,
  tableDescription,
  type EndpointSpec,
} from "./catalog/index.js";
export { TokenStore, defaultTokenStorePath, type StoredTokens } from "./auth/token-store.js";
export { login, openBrowser, DEFAULT_AUTHORIZE_URL, DEFAULT_TOKEN_URL, type LoginOptions } from "./auth/login.js";
export { NoActiveSubscriptionError } from "./errors.js";
export { setSharedSageAuth, type SageLogin } from "./auth.js";
