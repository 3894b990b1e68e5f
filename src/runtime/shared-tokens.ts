import pg from "pg";
import { Secret } from "../config/index.js";
import type { HttpRequester, OutgoingRequest, RequestAuth } from "../http/index.js";
import { OAuth2RefreshTokenAuth, type OAuthTokens } from "../rest/index.js";
import { type SageLogin, setSharedSageAuth } from "../sage/index.js";
import { ConfigError } from "../util/errors.js";
import { registerSecret } from "../util/redact.js";

/** Refresh this long before the access token expires (Sage's live 5 minutes), at most a fifth of its life. */
const MARGIN_MS = 60_000;

function marginFor(lifetimeMs: number): number {
  return Math.min(MARGIN_MS, Math.max(0, lifetimeMs) * 0.2);
}

function q(schema: string): string {
  return `"${schema.replace(/"/g, '""')}"`;
}

interface TokenRow {
  access_token: string | null;
  refresh_token: string;
  expires_at: Date | null;
  refreshed_at: Date | null;
}

/** A usable access token and when to stop using it. */
export interface SharedAccessToken {
  accessToken: Secret;
  expiresAt: number;
  marginMs: number;
}

/**
 * The Sage logins' tokens in the queue's Postgres store (`sp_tokens`, one row per client id),
 * shared by every worker. A refresh happens under a session advisory lock per login on its own
 * connection, so exactly one worker refreshes at a time; it first re-reads the row (another
 * worker may have refreshed meanwhile: then that token is used, and the spent refresh token is
 * never sent again), and the rotated refresh token is written before the new access token is
 * used by anyone. The rows are credentials: the schema should be readable by the workers only.
 */
export class SharedTokenStore {
  private readonly table: string;

  constructor(
    private readonly url: Secret,
    private readonly schema: string,
  ) {
    this.table = `${q(schema)}.sp_tokens`;
  }

  /** The RequestAuth of one Sage source in this worker (installed with setSharedSageAuth). */
  authFor(login: SageLogin): RequestAuth {
    return new SharedRefreshAuth(this, login);
  }

  /**
   * Under the login's lock: the stored access token when it is valid and not the one the API just
   * refused; else a refresh with the stored refresh token, saved before it is returned.
   */
  async tokenFor(login: SageLogin, refused: string | undefined, client: HttpRequester): Promise<SharedAccessToken> {
    const conn = new pg.Client({ connectionString: this.url.reveal(), application_name: "sage-pipeline token refresh" });
    await conn.connect();
    const key = `${this.schema}|tokens|${login.clientId}`;
    try {
      await conn.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [key]);
      if (login.refreshToken) {
        // The first worker seeds the row from its config (or token file); later ones find it.
        await conn.query(`INSERT INTO ${this.table} (login, refresh_token) VALUES ($1, $2) ON CONFLICT (login) DO NOTHING`, [
          login.clientId,
          login.refreshToken.reveal(),
        ]);
      }
      const { rows } = await conn.query<TokenRow>(
        `SELECT access_token, refresh_token, expires_at, refreshed_at FROM ${this.table} WHERE login = $1`,
        [login.clientId],
      );
      const row = rows[0];
      if (!row) {
        throw new ConfigError(`no Sage refresh token for client ${login.clientId} in the shared token store or the config`, {
          hint: "run `sage-pipeline auth login` on one machine, or set refresh_token in [sources.sage_accounting_source]",
        });
      }
      registerSecret(row.refresh_token);
      registerSecret(row.access_token);
      const expiresAt = row.expires_at?.getTime() ?? 0;
      const marginMs = marginFor(expiresAt - (row.refreshed_at?.getTime() ?? expiresAt));
      if (row.access_token && row.access_token !== refused && expiresAt - marginMs > Date.now()) {
        return { accessToken: new Secret(row.access_token), expiresAt, marginMs };
      }
      let fresh: OAuthTokens | undefined;
      const exchange = new OAuth2RefreshTokenAuth({
        accessTokenUrl: login.tokenUrl,
        clientId: login.clientId,
        clientSecret: login.clientSecret,
        refreshToken: row.refresh_token,
        onTokens: async (t) => {
          // Saved (autocommit) before apply() below returns, so before any request uses it.
          await conn.query(
            `UPDATE ${this.table} SET access_token = $2, refresh_token = $3, expires_at = $4, refreshes = refreshes + 1, refreshed_at = now() WHERE login = $1`,
            [login.clientId, t.accessToken.reveal(), (t.refreshToken ?? new Secret(row.refresh_token)).reveal(), t.expiresAt],
          );
          fresh = t;
        },
      });
      const probe: OutgoingRequest = { method: "GET", url: new URL(login.tokenUrl), headers: {} };
      await exchange.apply(probe, client);
      if (!fresh) throw new Error("the token exchange returned without tokens");
      const got: OAuthTokens = fresh;
      const at = got.expiresAt.getTime();
      return { accessToken: got.accessToken, expiresAt: at, marginMs: marginFor(at - Date.now()) };
    } finally {
      await conn.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key]).catch(() => undefined);
      await conn.end().catch(() => undefined);
    }
  }
}

/**
 * Make this process's Sage sources take their tokens from the queue's shared store (the worker,
 * and `enqueue`, whose business listing must not rotate a refresh token behind the workers' back).
 */
export function installSharedTokens(queue: { url: Secret; schema: string }): void {
  const store = new SharedTokenStore(queue.url, queue.schema);
  setSharedSageAuth((login) => store.authFor(login));
}

/** Bearer auth whose token comes from the shared store; one lookup or refresh at a time in this process. */
class SharedRefreshAuth implements RequestAuth {
  private accessToken: Secret | undefined;
  private expiresAt = 0;
  private marginMs = MARGIN_MS;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly store: SharedTokenStore,
    private readonly login: SageLogin,
  ) {}

  async apply(request: OutgoingRequest, client: HttpRequester): Promise<void> {
    if (!this.accessToken || Date.now() >= this.expiresAt - this.marginMs) await this.sync(client, undefined);
    request.headers.authorization = `Bearer ${(this.accessToken as Secret).reveal()}`;
  }

  async onUnauthorized(request: OutgoingRequest, client: HttpRequester): Promise<boolean> {
    const used = request.headers.authorization?.replace(/^Bearer /, "");
    // Someone here already moved on from the refused token: use the newer one.
    if (this.accessToken && used !== this.accessToken.reveal()) return true;
    await this.sync(client, used);
    return true;
  }

  private sync(client: HttpRequester, refused: string | undefined): Promise<void> {
    this.inflight ??= this.store
      .tokenFor(this.login, refused, client)
      .then((t) => {
        this.accessToken = t.accessToken;
        this.expiresAt = t.expiresAt;
        this.marginMs = t.marginMs;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}
