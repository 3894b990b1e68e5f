import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PipelineError } from "../../util/errors.js";
import { logger } from "../../util/logger.js";
import { requestTokens } from "./token-response.js";
import type { StoredTokens, TokenStore } from "./token-store.js";

export const DEFAULT_AUTHORIZE_URL = "https://www.sageone.com/oauth2/auth/central?filter=apiv3.1";
export const DEFAULT_TOKEN_URL = "https://oauth.accounting.sage.com/token";

export interface LoginOptions {
  clientId: string;
  clientSecret: string;
  authorizeUrl?: string;
  tokenUrl?: string;
  /** Port of the local callback; the redirect URI `http://127.0.0.1:<port>/callback` must be
   * registered for the app in the Sage developer portal. 0 picks a free port (tests). */
  port?: number;
  /** Overrides the redirect URI (e.g. `http://localhost:8080/callback`); it must point at this machine. */
  redirectUri?: string;
  /** `readonly` by default: a pipeline only reads. */
  scope?: string;
  country?: string;
  store: TokenStore;
  /** Called with the URL to visit; the CLI prints it and opens a browser when there is one. */
  onAuthorizeUrl?: (url: string) => void;
  timeoutMs?: number;
}

const log = logger("auth");

function page(title: string, text: string): string {
  return `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;
}

/** Open a URL in the user's browser when the machine has one; quietly do nothing otherwise. */
export function openBrowser(url: string): boolean {
  const platform = process.platform;
  const hasDisplay = platform !== "linux" || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (!hasDisplay) return false;
  const [cmd, args] =
    platform === "darwin" ? ["open", [url]] : platform === "win32" ? ["cmd", ["/c", "start", "", url]] : ["xdg-open", [url]];
  try {
    const child = spawn(cmd, args, { detached: true, stdio: "ignore" });
    child.on("error", () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/**
 * The authorization-code flow: listen on 127.0.0.1, send the user to Sage's authorize page with
 * a random `state`, check `state` on the callback, exchange the code at once (it lives 60 s and
 * works once), and store the tokens (mode 0600, atomically).
 */
export async function login(opts: LoginOptions): Promise<StoredTokens> {
  const state = randomBytes(24).toString("base64url");
  const tokenUrl = opts.tokenUrl ?? DEFAULT_TOKEN_URL;
  let settle!: { resolve: (t: StoredTokens) => void; reject: (e: Error) => void };
  const done = new Promise<StoredTokens>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let redirectUri = opts.redirectUri ?? "";
  let finished = false;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== new URL(redirectUri).pathname) {
      res
        .writeHead(404, { "Content-Type": "text/html" })
        .end(page("Not found", "This server only waits for the Sage login callback."));
      return;
    }
    if (finished) {
      res
        .writeHead(409, { "Content-Type": "text/html" })
        .end(page("Already done", "The login already finished; you can close this window."));
      return;
    }
    const error = url.searchParams.get("error");
    if (error) {
      finished = true;
      res
        .writeHead(400, { "Content-Type": "text/html" })
        .end(page("Login failed", `Sage answered: ${error}. You can close this window.`));
      settle.reject(
        new PipelineError(
          `Sage login failed: ${error}${url.searchParams.get("error_description") ? ` (${url.searchParams.get("error_description")})` : ""}`,
          {
            hint: "check that the app's callback URL matches and try `sage-pipeline auth login` again",
          },
        ),
      );
      return;
    }
    if (url.searchParams.get("state") !== state) {
      // Not ours (a stale tab or a forged request): refuse it but keep waiting for the real one.
      res
        .writeHead(400, { "Content-Type": "text/html" })
        .end(page("Login refused", "The state parameter did not match this login attempt."));
      log.warn("ignored a callback whose state did not match this login attempt");
      return;
    }
    const code = url.searchParams.get("code");
    if (!code) {
      res.writeHead(400, { "Content-Type": "text/html" }).end(page("Login failed", "The callback had no authorization code."));
      return;
    }
    finished = true;
    try {
      const t = await requestTokens(tokenUrl, {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        code,
        grant_type: "authorization_code",
        redirect_uri: redirectUri,
      });
      const now = Date.now();
      const tokens: StoredTokens = {
        clientId: opts.clientId,
        accessToken: t.access_token,
        refreshToken: t.refresh_token,
        expiresAt: now + t.expires_in * 1000,
        ...(t.refresh_token_expires_in !== undefined ? { refreshTokenExpiresAt: now + t.refresh_token_expires_in * 1000 } : {}),
        ...(t.scope ? { scope: t.scope } : {}),
        ...(t.requested_by_id ? { requestedById: t.requested_by_id } : {}),
        tokenUrl,
        obtainedAt: new Date(now).toISOString(),
      };
      opts.store.write(tokens);
      res
        .writeHead(200, { "Content-Type": "text/html" })
        .end(page("Logged in", "sage-pipeline has its tokens. You can close this window."));
      settle.resolve(tokens);
    } catch (err) {
      res
        .writeHead(500, { "Content-Type": "text/html" })
        .end(page("Login failed", "The code could not be exchanged for tokens; see the terminal."));
      settle.reject(err as Error);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      settle.reject(err as Error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        new PipelineError(`cannot listen on 127.0.0.1:${opts.port ?? 8080} for the login callback: ${err.code ?? err.message}`, {
          hint: "pass --port with a free port that is registered as the app's callback URL",
        }),
      );
    });
    server.listen(opts.port ?? 8080, "127.0.0.1", () => {
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  redirectUri ||= `http://127.0.0.1:${port}/callback`;

  const authorize = new URL(opts.authorizeUrl ?? DEFAULT_AUTHORIZE_URL);
  authorize.searchParams.set("client_id", opts.clientId);
  authorize.searchParams.set("response_type", "code");
  authorize.searchParams.set("redirect_uri", redirectUri);
  authorize.searchParams.set("scope", opts.scope ?? "readonly");
  authorize.searchParams.set("state", state);
  if (opts.country) authorize.searchParams.set("country", opts.country);
  opts.onAuthorizeUrl?.(authorize.toString());

  const timer = setTimeout(() => {
    settle.reject(
      new PipelineError(`no login callback within ${Math.round((opts.timeoutMs ?? 300_000) / 1000)} s`, {
        hint: "open the printed URL in a browser on this machine and approve the access",
      }),
    );
  }, opts.timeoutMs ?? 300_000);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
    server.close();
    server.closeAllConnections();
  }
}
