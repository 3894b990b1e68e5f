import { Secret } from "../../config/index.js";
import { registerSecret } from "../../util/redact.js";
import type { OAuthTokens } from "../types.js";
import { type OAuth2Options, OAuth2TokenAuth } from "./oauth2-token-auth.js";

export interface OAuth2RefreshTokenOptions extends OAuth2Options {
  refreshToken: string | Secret;
  accessToken?: string | Secret;
  expiresAt?: Date | number | string;
}

function toEpochMs(v: Date | number | string | undefined): number {
  if (v === undefined) return Number.POSITIVE_INFINITY; // unknown: use until the API says 401
  const t = v instanceof Date ? v.getTime() : typeof v === "number" ? v : Date.parse(v);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * `oauth2_refresh_token`: the authorization-code flow's second half (Sage: 5-minute access
 * tokens, refresh tokens that rotate on every use). dlt has no such auth.
 */
export class OAuth2RefreshTokenAuth extends OAuth2TokenAuth {
  protected readonly grantName = "refresh_token";
  private refreshToken: Secret;

  constructor(options: OAuth2RefreshTokenOptions) {
    super(options);
    this.refreshToken = Secret.from(options.refreshToken);
    if (options.accessToken !== undefined) {
      this.accessToken = Secret.from(options.accessToken);
      this.expiresAt = toEpochMs(options.expiresAt);
    }
  }

  /** The refresh token to use next (the latest rotation). */
  get currentRefreshToken(): Secret {
    return this.refreshToken;
  }

  protected grantFields(): Record<string, string> {
    return { grant_type: "refresh_token", refresh_token: this.refreshToken.reveal() };
  }

  protected tokensFrom(body: Record<string, unknown>): Pick<OAuthTokens, "refreshToken" | "rotated"> {
    const fresh = typeof body.refresh_token === "string" && body.refresh_token !== "" ? body.refresh_token : undefined;
    if (fresh) registerSecret(fresh);
    const rotated = fresh !== undefined && fresh !== this.refreshToken.reveal();
    return { refreshToken: fresh ? new Secret(fresh) : this.refreshToken, rotated };
  }

  protected commit(tokens: OAuthTokens): void {
    if (tokens.refreshToken) this.refreshToken = tokens.refreshToken;
  }
}
