import { AuthenticationError, HttpError } from "../http/index.js";
import { PipelineError } from "../util/errors.js";

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

/** Any other 401 after the one refresh: the user must log in again. */
export function tokenRejected(cause: AuthenticationError): PipelineError {
  return new PipelineError("the Sage access token was rejected: run `sage-pipeline auth login`", {
    hint: "run `sage-pipeline auth login`; if you set access_token yourself, it has expired (Sage's last 5 minutes)",
    cause,
  });
}

/**
 * Credential failures in Sage's words: a refused access token after its one refresh, or a
 * refresh token the token endpoint no longer accepts (`invalid_grant`: spent, expired or
 * revoked). Anything else is returned unchanged.
 */
export function sageAuthError(err: unknown): unknown {
  if (err instanceof HttpError && /invalid_grant/.test(err.message)) {
    return new PipelineError(
      `the Sage login has expired or was used elsewhere (the token endpoint answered invalid_grant): run \`sage-pipeline auth login\``,
      {
        hint: "run `sage-pipeline auth login`; refresh tokens work once, so two pipelines must not share one token store at the same time",
        cause: err,
      },
    );
  }
  if (err instanceof AuthenticationError) return tokenRejected(err);
  return err;
}
