import { Secret } from "../config/index.js";
import type { RequestAuth } from "../http/index.js";
import { BearerTokenAuth, OAuth2RefreshTokenAuth, type OAuthTokens } from "../rest/index.js";
import { ConfigError } from "../util/errors.js";
import { DEFAULT_TOKEN_URL } from "./auth/login.js";
import { TokenStore } from "./auth/token-store.js";
import type { ResolvedSageOptions } from "./options.js";

const LOGIN_HINT =
  "run `sage-pipeline auth login` (with client_id and client_secret in .dlt/secrets.toml [sources.sage_accounting_source]), or set access_token";

/** A Sage login's credentials as configured: what a shared token store starts from. */
export interface SageLogin {
  clientId: string;
  clientSecret: Secret;
  /** The token file's latest rotation, else the configured one (undefined when neither exists). */
  refreshToken: Secret | undefined;
  tokenUrl: string;
}

let sharedAuth: ((login: SageLogin) => RequestAuth) | undefined;

/**
 * Install (or remove) where refresh-token logins get their tokens instead of the token file: the
 * queue workers' shared store (one refresh at a time across workers). Access-token logins are
 * not affected.
 */
export function setSharedSageAuth(factory: ((login: SageLogin) => RequestAuth) | undefined): void {
  sharedAuth = factory;
}

/**
 * The credentials, in this order: an access token from config (used as is, no refresh); else the
 * refresh-token flow with client_id/client_secret from config and the refresh token from the
 * token store that `auth login` wrote (it always holds the latest rotation) or, the first time,
 * from config. Every refresh writes the rotated refresh token to the store before the new access
 * token is used (Sage's refresh tokens are single use).
 */
export function createSageAuth(o: ResolvedSageOptions): RequestAuth {
  if (o.accessToken) return new BearerTokenAuth({ token: o.accessToken });
  const store = new TokenStore(o.tokenStore);
  const stored = store.exists() ? store.read() : undefined;
  const clientId = o.clientId ?? stored?.clientId;
  if (!clientId || !o.clientSecret) {
    throw new ConfigError("no Sage credentials: client_id and client_secret are not configured", { hint: LOGIN_HINT });
  }
  const fromStore = stored && stored.clientId === clientId ? stored : undefined;
  const refreshToken = fromStore ? new Secret(fromStore.refreshToken) : o.refreshToken;
  if (sharedAuth) {
    return sharedAuth({
      clientId,
      clientSecret: o.clientSecret,
      refreshToken,
      tokenUrl: o.tokenUrl ?? fromStore?.tokenUrl ?? DEFAULT_TOKEN_URL,
    });
  }
  if (!refreshToken) {
    throw new ConfigError(
      `no Sage refresh token: the token store ${store.path} does not exist and refresh_token is not configured`,
      { hint: LOGIN_HINT },
    );
  }
  const tokenUrl = o.tokenUrl ?? fromStore?.tokenUrl ?? DEFAULT_TOKEN_URL;
  return new OAuth2RefreshTokenAuth({
    accessTokenUrl: tokenUrl,
    clientId,
    clientSecret: o.clientSecret,
    refreshToken,
    ...(fromStore ? { accessToken: fromStore.accessToken, expiresAt: fromStore.expiresAt } : {}),
    onTokens: (t: OAuthTokens) => {
      store.write({
        clientId,
        accessToken: t.accessToken.reveal(),
        refreshToken: (t.refreshToken ?? refreshToken).reveal(),
        expiresAt: t.expiresAt.getTime(),
        tokenUrl,
        obtainedAt: new Date().toISOString(),
      });
    },
  });
}
