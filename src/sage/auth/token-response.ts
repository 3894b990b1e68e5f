import { ConfigError, PipelineError } from "../../util/errors.js";
import { registerSecret } from "../../util/redact.js";

/** The fields of Sage's token endpoint answer that we use. */
export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_token_expires_in?: number;
  scope?: string;
  requested_by_id?: string;
}

/** What the token endpoint's refusal means, in the user's terms. */
function refusal(error: string): string {
  if (error === "invalid_client") return "the client id/secret were rejected";
  if (error === "invalid_grant") return "the authorization code or refresh token was used already or expired: log in again";
  return "the Sage token endpoint refused the request";
}

/** The token endpoint refused: `invalid_grant` means the code or refresh token is spent or expired. */
export class TokenEndpointError extends PipelineError {
  constructor(
    readonly error: string,
    description: string | undefined,
    status: number,
  ) {
    super(`${refusal(error)} (token endpoint: ${status} ${error}${description ? `: ${description}` : ""})`, {
      hint:
        error === "invalid_grant"
          ? "run `sage-pipeline auth login` (the code works once, within 60 s)"
          : error === "invalid_client"
            ? "check client_id and client_secret in [sources.sage_accounting_source] (.dlt/secrets.toml) against the app in the Sage developer portal"
            : "check the token_url and the app's settings in the Sage developer portal",
    });
  }
}

/** POST a form to the token endpoint and read the tokens (registering them as secrets at once). */
export async function requestTokens(tokenUrl: string, form: Record<string, string>, timeoutMs = 30_000): Promise<TokenResponse> {
  let res: Response;
  try {
    res = await fetch(tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new PipelineError(`could not reach the Sage token endpoint ${new URL(tokenUrl).origin}: ${(err as Error).message}`, {
      hint: "check the network and token_url",
      cause: err,
    });
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // handled below
  }
  if (!res.ok) {
    throw new TokenEndpointError(
      typeof body.error === "string" ? body.error : `http_${res.status}`,
      body.error_description as string | undefined,
      res.status,
    );
  }
  if (typeof body.access_token !== "string" || typeof body.refresh_token !== "string") {
    throw new ConfigError(`the Sage token endpoint answered ${res.status} without tokens`, { hint: "check token_url" });
  }
  registerSecret(body.access_token);
  registerSecret(body.refresh_token);
  return {
    access_token: body.access_token,
    refresh_token: body.refresh_token,
    expires_in: Number(body.expires_in ?? 300),
    ...(body.refresh_token_expires_in !== undefined ? { refresh_token_expires_in: Number(body.refresh_token_expires_in) } : {}),
    ...(typeof body.scope === "string" ? { scope: body.scope } : {}),
    ...(typeof body.requested_by_id === "string" ? { requested_by_id: body.requested_by_id } : {}),
  };
}
