export { ApiKeyAuth } from "./api-key.js";
export { BearerTokenAuth } from "./bearer.js";
export { HttpBasicAuth } from "./http-basic.js";
export { OAuth2ClientCredentialsAuth } from "./oauth2-client-credentials.js";
export { OAuth2RefreshTokenAuth, type OAuth2RefreshTokenOptions } from "./oauth2-refresh-token.js";
export { OAuth2TokenAuth, OAuthGrantError, type OAuth2Options } from "./oauth2-token-auth.js";
export {
  authObject,
  authRegistration,
  authTypes,
  createAuth,
  isRequestAuth,
  registerAuth,
  type AuthOptionKind,
  type AuthRegistration,
} from "./registry.js";
