import { SourceError } from "../extract/index.js";
import { AuthenticationError } from "../http/index.js";
import { OAuthGrantError } from "../rest/index.js";
import { PipelineError } from "../util/errors.js";

const LOGIN = "run `sage-pipeline auth login`";

/** Sage's 401 "No active subscription. (MSE)": the business's trial or plan ended. Refreshing
 * the token cannot help, so it is recognised before the refresh-on-401 logic runs. */
export class NoActiveSubscriptionError extends PipelineError {
  constructor(
    readonly businessId: string,
    readonly businessName: string,
  ) {
    super(`business "${businessName}" (${businessId}) has no active Sage subscription: skipped`, {
      hint: "renew the subscription in Sage, or leave the business out with [sources.sage_accounting_source] businesses = [...]",
    });
  }
}

export function isNoActiveSubscription(status: number, body: string): boolean {
  return status === 401 && /No active subscription/i.test(body);
}

/**
 * Credential failures in Sage's words, as SourceErrors (they stop the whole extract: every
 * business and resource would fail the same way): the token endpoint refusing the client
 * (`invalid_client`) or the refresh token (`invalid_grant`: spent, expired or revoked), or the
 * API refusing the access token after its one refresh. Anything else is returned unchanged.
 */
export function sageAuthError(err: unknown): unknown {
  if (err instanceof SourceError) return err;
  if (err instanceof OAuthGrantError && err.oauthError === "invalid_client") {
    return new SourceError(
      "the client id/secret were rejected by the Sage token endpoint (invalid_client): check client_id and client_secret",
      {
        hint: "set client_id and client_secret of the app registered in the Sage developer portal in .dlt/secrets.toml [sources.sage_accounting_source] (or SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_ID / __CLIENT_SECRET)",
        cause: err,
      },
    );
  }
  if (err instanceof OAuthGrantError && err.oauthError === "invalid_grant") {
    return new SourceError(
      `the Sage login has expired or was used elsewhere (the token endpoint answered invalid_grant): log in again: ${LOGIN}`,
      {
        hint: `${LOGIN}; refresh tokens work once, so two pipelines must not share one token store at the same time`,
        cause: err,
      },
    );
  }
  if (err instanceof AuthenticationError) {
    return new SourceError(`the Sage access token was rejected: ${LOGIN}`, {
      hint: `${LOGIN}; if you set access_token yourself, it has expired (Sage's last 5 minutes)`,
      cause: err,
    });
  }
  return err;
}
