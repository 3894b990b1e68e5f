import { Secret } from "../../config/index.js";
import {
  AuthenticationError,
  bodyExcerpt,
  createHttpError,
  type HttpErrorDetails,
  type HttpRequester,
  type HttpResponse,
  type OutgoingRequest,
  type RequestAuth,
} from "../../http/index.js";
import { ConfigError } from "../../util/errors.js";
import { redactUrl, registerSecret } from "../../util/redact.js";
import type { OAuthTokens } from "../types.js";

/**
 * The token endpoint refused a grant (400/401). `oauthError` is RFC 6749's `error` code when the
 * body had one: `invalid_client` (the client id or secret is wrong), `invalid_grant` (the code or
 * refresh token is spent, expired or revoked), ...; callers word their advice by it.
 */
export class OAuthGrantError extends AuthenticationError {
  constructor(
    details: HttpErrorDetails,
    message: string,
    options: { hint?: string; cause?: unknown },
    readonly oauthError: string | undefined,
  ) {
    super(details, message, options);
  }
}

export interface OAuth2Options {
  accessTokenUrl: string;
  clientId: string | Secret;
  clientSecret: string | Secret;
  accessTokenRequestData?: Record<string, string>;
  defaultTokenExpiration?: number;
  clientAuthMethod?: "client_secret_post" | "client_secret_basic";
  refreshMargin?: number;
  onTokens?: (tokens: OAuthTokens) => void | Promise<void>;
}

/**
 * The token handling both OAuth2 grants share: fetch a token when there is none or it is about
 * to expire, and once more after a 401; one refresh at a time (concurrent requests wait for the
 * same one); `onTokens` is awaited before any request uses the new access token, so a rotated
 * refresh token can be persisted first.
 */
export abstract class OAuth2TokenAuth implements RequestAuth {
  protected accessToken: Secret | undefined;
  protected expiresAt = 0;
  private marginMs: number;
  private generation = 0;
  private inflight: Promise<void> | undefined;
  private readonly used = new WeakMap<OutgoingRequest, number>();
  protected readonly clientId: Secret;
  protected readonly clientSecret: Secret;
  /** Token requests made so far (tests and traces read it). */
  tokenRequests = 0;

  constructor(protected readonly options: OAuth2Options) {
    this.clientId = Secret.from(options.clientId);
    this.clientSecret = Secret.from(options.clientSecret);
    this.marginMs = (options.refreshMargin ?? 60) * 1000;
  }

  /** The grant's own form fields (`grant_type` and what it needs). */
  protected abstract grantFields(): Record<string, string>;
  /** Reads what the grant keeps from a token response (the rotated refresh token). */
  protected abstract tokensFrom(body: Record<string, unknown>): Pick<OAuthTokens, "refreshToken" | "rotated">;
  /** Commits what `tokensFrom` read, after `onTokens` succeeded. */
  protected abstract commit(tokens: OAuthTokens): void;
  protected abstract readonly grantName: string;

  async apply(request: OutgoingRequest, client: HttpRequester): Promise<void> {
    if (!this.accessToken || Date.now() >= this.expiresAt - this.marginMs) await this.refresh(client, this.generation);
    this.used.set(request, this.generation);
    request.headers.authorization = `Bearer ${(this.accessToken as Secret).reveal()}`;
  }

  async onUnauthorized(request: OutgoingRequest, client: HttpRequester): Promise<boolean> {
    await this.refresh(client, this.used.get(request) ?? this.generation);
    return true;
  }

  /** Single flight: join the refresh under way; skip it if someone refreshed since `seen`. */
  private refresh(client: HttpRequester, seen: number): Promise<void> {
    if (this.inflight) return this.inflight;
    if (seen !== this.generation) return Promise.resolve();
    this.inflight = this.fetchTokens(client).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchTokens(client: HttpRequester): Promise<void> {
    this.tokenRequests++;
    const o = this.options;
    const form: Record<string, string> = { ...this.grantFields(), ...o.accessTokenRequestData };
    const headers: Record<string, string> = { accept: "application/json" };
    if (o.clientAuthMethod === "client_secret_basic") {
      const pair = Buffer.from(
        `${encodeURIComponent(this.clientId.reveal())}:${encodeURIComponent(this.clientSecret.reveal())}`,
      ).toString("base64");
      registerSecret(pair);
      headers.authorization = `Basic ${pair}`;
    } else {
      form.client_id = this.clientId.reveal();
      form.client_secret = this.clientSecret.reveal();
    }
    const response = await client.request({
      method: "POST",
      url: o.accessTokenUrl,
      data: form,
      headers,
      label: `${this.grantName} token request`,
      returnErrors: true,
    });
    if (!response.ok) throw this.tokenError(response);
    const body = response.json();
    const fields = body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    if (typeof fields.access_token !== "string" || fields.access_token === "") {
      throw new AuthenticationError(
        { method: "POST", url: redactUrl(o.accessTokenUrl), status: response.status, bodyExcerpt: bodyExcerpt(response.text) },
        "returned no access_token",
        { hint: 'check accessTokenUrl: it should be the OAuth2 token endpoint returning {"access_token": ...}' },
      );
    }
    registerSecret(fields.access_token);
    const lifetime = Number(fields.expires_in) > 0 ? Number(fields.expires_in) : (o.defaultTokenExpiration ?? 3600);
    const tokens: OAuthTokens = {
      accessToken: new Secret(fields.access_token),
      expiresAt: new Date(Date.now() + lifetime * 1000),
      ...this.tokensFrom(fields),
    };
    if (o.onTokens) {
      try {
        await o.onTokens(tokens);
      } catch (err) {
        throw new ConfigError(
          `${this.grantName}: onTokens failed, so the new tokens were not used: ${err instanceof Error ? err.message : String(err)}`,
          {
            cause: err,
            hint: tokens.rotated
              ? "the token endpoint rotated the refresh token and the old one may no longer work: fix the storage in onTokens and re-authorize if the next run is refused"
              : "fix the storage in onTokens",
          },
        );
      }
    }
    this.accessToken = tokens.accessToken;
    this.expiresAt = tokens.expiresAt.getTime();
    this.marginMs = Math.min((o.refreshMargin ?? 60) * 1000, lifetime * 200);
    this.commit(tokens);
    this.generation++;
  }

  private tokenError(response: HttpResponse): Error {
    const details = {
      method: "POST",
      url: redactUrl(this.options.accessTokenUrl),
      status: response.status,
      statusText: response.statusText,
      bodyExcerpt: bodyExcerpt(response.text, response.headers.get("content-type")),
      label: `${this.grantName} token request`,
    };
    if (response.status === 400 || response.status === 401) {
      let code: string | undefined;
      try {
        const b = response.json() as { error?: unknown } | null;
        if (typeof b?.error === "string") code = b.error;
      } catch {
        // A non-JSON error body: the excerpt in the message says enough.
      }
      const hint =
        code === "invalid_client"
          ? "the token endpoint does not accept this client: check clientId and clientSecret (and clientAuthMethod)"
          : this.grantName === "refresh_token"
            ? "the refresh token is expired, revoked or already used (rotating tokens work once: another process may have refreshed first); re-authorize and store the new refresh token"
            : "check clientId, clientSecret, accessTokenUrl and accessTokenRequestData (scope, audience)";
      return new OAuthGrantError(
        details,
        `failed: ${response.status}: the token endpoint refused the ${this.grantName} grant${code ? ` (${code})` : ""}`,
        { hint },
        code,
      );
    }
    return createHttpError(details);
  }
}
