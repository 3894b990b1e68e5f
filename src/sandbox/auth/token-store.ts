import { randomBytes } from "node:crypto";

/** The token endpoint's success body, field for field as Sage sends it. */
export interface TokenResponse {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
  scope: string;
  requested_by_id: string;
}

export interface TokenError {
  error: "invalid_grant" | "invalid_client" | "invalid_request";
  error_description: string;
}

export interface TokenStoreOptions {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  authorizationCodeTtlSeconds: number;
  userId: string;
  /** Put in front of every access and refresh token (a canary scan recognises them anywhere). */
  tokenPrefix?: string;
}

interface Grant {
  scope: string;
  expiresAt: number;
  used: boolean;
}

interface CodeGrant extends Grant {
  clientId: string;
  redirectUri: string;
}

/** Opaque random strings: tokens are credentials, not data, so they need not be reproducible. */
const token = (bytes: number) => randomBytes(bytes).toString("base64url");

/**
 * Codes, access tokens and refresh tokens, timed by the wall clock. Codes and refresh tokens
 * are single-use; a refresh rotates the refresh token and the old one stops working at once.
 */
export class TokenStore {
  private readonly access = new Map<string, Grant>();
  private readonly refresh = new Map<string, Grant>();
  private readonly codes = new Map<string, CodeGrant>();

  constructor(
    private readonly options: TokenStoreOptions,
    private readonly counters: {
      tokensIssued: number;
      tokensRefreshed: number;
      refreshTokensReused: number;
      codesIssued: number;
    },
  ) {}

  issue(scope = "full_access"): TokenResponse {
    this.prune();
    const now = Date.now();
    const prefix = this.options.tokenPrefix ?? "";
    const accessToken = `${prefix}${token(48)}`;
    const refreshToken = `${prefix}${token(48)}`;
    this.access.set(accessToken, { scope, expiresAt: now + this.options.accessTokenTtlSeconds * 1000, used: false });
    this.refresh.set(refreshToken, { scope, expiresAt: now + this.options.refreshTokenTtlSeconds * 1000, used: false });
    this.counters.tokensIssued++;
    return {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: this.options.accessTokenTtlSeconds,
      refresh_token: refreshToken,
      refresh_token_expires_in: this.options.refreshTokenTtlSeconds,
      scope,
      requested_by_id: this.options.userId,
    };
  }

  /** A code as the authorize page hands it out: region-prefixed (`GB/...`), so clients must URL-encode it. */
  createCode(clientId: string, redirectUri: string, scope: string, country: string): string {
    const code = `${country.toUpperCase()}/${token(24)}`;
    this.counters.codesIssued++;
    this.codes.set(code, {
      clientId,
      redirectUri,
      scope,
      used: false,
      expiresAt: Date.now() + this.options.authorizationCodeTtlSeconds * 1000,
    });
    return code;
  }

  exchangeCode(code: string, clientId: string, redirectUri: string): TokenResponse | TokenError {
    const grant = this.codes.get(code);
    if (!grant) return invalidGrant("The authorization code is invalid.");
    if (grant.used) return invalidGrant("The authorization code has already been used.");
    grant.used = true;
    if (grant.expiresAt <= Date.now()) return invalidGrant("The authorization code has expired.");
    if (grant.clientId !== clientId) return invalidGrant("The authorization code was issued to another client.");
    if (grant.redirectUri !== redirectUri) return invalidGrant("The redirect_uri does not match the one used to authorize.");
    return this.issue(grant.scope);
  }

  rotate(refreshToken: string): TokenResponse | TokenError {
    const grant = this.refresh.get(refreshToken);
    if (!grant) return invalidGrant("The refresh token is invalid.");
    if (grant.used) {
      // Counted apart from other refusals: on Sage a rotated token sent again can revoke the login.
      this.counters.refreshTokensReused++;
      return invalidGrant("The refresh token has already been used.");
    }
    if (grant.expiresAt <= Date.now()) return invalidGrant("The refresh token has expired.");
    grant.used = true;
    this.counters.tokensRefreshed++;
    return this.issue(grant.scope);
  }

  /** Whether a bearer token is a live access token. */
  check(accessToken: string): "valid" | "expired" | "unknown" {
    const grant = this.access.get(accessToken);
    if (!grant) return "unknown";
    return grant.expiresAt > Date.now() ? "valid" : "expired";
  }

  /** Make every current access token expired now (tests of the refresh path without waiting). */
  expireAccessTokens(): number {
    const now = Date.now();
    for (const g of this.access.values()) g.expiresAt = Math.min(g.expiresAt, now);
    return this.access.size;
  }

  private prune(): void {
    const now = Date.now();
    for (const map of [this.access, this.refresh, this.codes] as Array<Map<string, Grant>>) {
      if (map.size < 1000) continue;
      for (const [k, g] of map) if (g.expiresAt <= now - 3_600_000) map.delete(k);
    }
  }
}

function invalidGrant(description: string): TokenError {
  return { error: "invalid_grant", error_description: description };
}
