import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendHtml, sendJson } from "../http-util.js";
import type { TokenError, TokenStore } from "./token-store.js";

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  redirectUris: readonly string[];
  /** Country of the lead business: the callback's `country` and the code's region prefix. */
  country: string;
}

const SCOPES = new Set(["full_access", "readonly"]);

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * `GET /oauth2/auth/central?filter=apiv3.1&client_id&response_type=code&redirect_uri&scope&state`:
 * the user "logs in and approves" at once, and is redirected back with a code.
 */
export function handleAuthorize(url: URL, res: ServerResponse, config: OAuthConfig, tokens: TokenStore): void {
  const p = url.searchParams;
  const clientId = p.get("client_id");
  const redirectUri = p.get("redirect_uri");
  const scope = p.get("scope") ?? "full_access";
  if (!clientId || clientId !== config.clientId) {
    sendHtml(res, 400, "Invalid request", "The client_id is missing or not registered.");
    return;
  }
  if (p.get("response_type") !== "code") {
    sendHtml(res, 400, "Invalid request", "response_type must be 'code'.");
    return;
  }
  if (!redirectUri || !isHttpUrl(redirectUri) || (config.redirectUris.length > 0 && !config.redirectUris.includes(redirectUri))) {
    sendHtml(res, 400, "Invalid request", "The redirect_uri is missing or does not match the registered callback URL.");
    return;
  }
  if (!SCOPES.has(scope)) {
    sendHtml(res, 400, "Invalid request", "scope must be full_access or readonly.");
    return;
  }
  const target = new URL(redirectUri);
  target.searchParams.set("code", tokens.createCode(clientId, redirectUri, scope, config.country));
  target.searchParams.set("country", config.country.toLowerCase());
  const state = p.get("state");
  if (state !== null) target.searchParams.set("state", state);
  res.writeHead(302, { location: target.toString(), "content-length": "0" });
  res.end();
}

function clientFromBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(header ?? "");
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const i = decoded.indexOf(":");
  if (i < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
}

const fail = (res: ServerResponse, body: TokenError) => {
  sendJson(res, 400, body, { pragma: "no-cache" });
};

/** `POST /oauth/token`: authorization_code and refresh_token grants, form-encoded like Sage's. */
export async function handleToken(
  req: IncomingMessage,
  res: ServerResponse,
  config: OAuthConfig,
  tokens: TokenStore,
): Promise<void> {
  if (req.method !== "POST") {
    res.writeHead(405, { allow: "POST", "content-length": "0" });
    res.end();
    return;
  }
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  const text = await readBody(req, 64_000);
  if (!type.startsWith("application/x-www-form-urlencoded")) {
    fail(res, { error: "invalid_request", error_description: "The body must be application/x-www-form-urlencoded." });
    return;
  }
  const form = new URLSearchParams(text);
  const basic = clientFromBasic(req.headers.authorization);
  const clientId = form.get("client_id") ?? basic?.id;
  const clientSecret = form.get("client_secret") ?? basic?.secret;
  if (clientId !== config.clientId || clientSecret !== config.clientSecret) {
    fail(res, { error: "invalid_client", error_description: "Client authentication failed." });
    return;
  }
  const grantType = form.get("grant_type");
  let result;
  if (grantType === "authorization_code") {
    const code = form.get("code");
    const redirectUri = form.get("redirect_uri");
    if (!code || !redirectUri) {
      fail(res, { error: "invalid_request", error_description: "code and redirect_uri are required." });
      return;
    }
    result = tokens.exchangeCode(code, clientId, redirectUri);
  } else if (grantType === "refresh_token") {
    const refreshToken = form.get("refresh_token");
    if (!refreshToken) {
      fail(res, { error: "invalid_request", error_description: "refresh_token is required." });
      return;
    }
    result = tokens.rotate(refreshToken);
  } else {
    result = { error: "invalid_grant", error_description: `Unsupported grant_type "${grantType ?? ""}".` } as TokenError;
  }
  if ("error" in result) fail(res, result);
  else sendJson(res, 200, result, { pragma: "no-cache" });
}
