import type { OAuthTokens } from "../types.js";
import { OAuth2TokenAuth } from "./oauth2-token-auth.js";

/** `oauth2_client_credentials`: server-to-server tokens; refreshed before expiry and once after a 401. */
export class OAuth2ClientCredentialsAuth extends OAuth2TokenAuth {
  protected readonly grantName = "client_credentials";

  protected grantFields(): Record<string, string> {
    return { grant_type: "client_credentials" };
  }

  protected tokensFrom(): Pick<OAuthTokens, "refreshToken" | "rotated"> {
    return { refreshToken: undefined, rotated: false };
  }

  protected commit(): void {}
}
