import {
  AuthenticationError,
  bodyExcerpt,
  type HttpErrorDetails,
  type HttpResponse,
  RateLimitError,
  type ResponseVerdict,
} from "../http/index.js";
import { envName } from "../config/index.js";
import type { Logger } from "../util/logger.js";
import { SAGE_ONE_ZA_SECTIONS } from "./settings.js";

/** A `$filter` this service does not accept (400): the caller loads the list in full instead. */
export class FilterRefused extends Error {}

export interface HookContext {
  /** `Customer`, or `Company` for the company list. */
  service: string;
  company: number | undefined;
  /** Whether the request carries `$filter` (a 400 then means "no filter here"). */
  filtered: boolean;
  requestsPerSecond: number;
  log: Logger;
  /** Warn-once memory for skipped lists. */
  warned: Set<string>;
  /** Called with the error of a 429 before it is thrown: stop every other request at once. */
  onBlocked: (error: RateLimitError) => void;
}

const SECTION = `[${SAGE_ONE_ZA_SECTIONS.join(".")}]`;
const env = (key: string) => envName([...SAGE_ONE_ZA_SECTIONS, key]);

function details(r: HttpResponse): HttpErrorDetails & { status: number } {
  return {
    method: r.request.method,
    url: r.request.url,
    label: r.request.label,
    status: r.status,
    statusText: r.statusText,
    bodyExcerpt: bodyExcerpt(r.text, r.headers.get("content-type")),
  };
}

/**
 * Sage One SA's answers that need more than the http layer's defaults, decided before its retry
 * rules run: a 429 means the IP is already blocked for an hour and every further call extends the
 * block, so it fails the run at once instead of being retried; a 401 names the settings to check;
 * a 404 skips that list for that company; a 400 on a filtered request falls back to a full load.
 */
export function saResponseHook(c: HookContext): (response: HttpResponse) => ResponseVerdict {
  return (response) => {
    const where = c.company === undefined ? "" : ` for company ${c.company}`;
    if (response.status === 429) {
      const error = new RateLimitError(
        details(response),
        `failed: 429: Sage One blocked this IP address${where} for an hour (more than 100 requests a minute per company); every request while blocked extends the block, so the run stops here without retrying`,
        {
          hint: `wait an hour without calling the API, then lower requests_per_second (now ${c.requestsPerSecond} per company) under ${SECTION} or ${env("requests_per_second")}; other programs using the same API key, user and company count against the same limit`,
        },
      );
      c.onBlocked(error);
      throw error;
    }
    if (response.status === 401) {
      const rights =
        c.company === undefined
          ? ""
          : `, and that this user may open company ${c.company} (Sage answers 401 for a company without rights too)`;
      throw new AuthenticationError(details(response), "failed: 401: Sage One refused the credentials", {
        hint: `check api_key, username and password under ${SECTION} in .dlt/secrets.toml or ${["api_key", "username", "password"].map(env).join(", ")}${rights}. Do not retry in a loop: 20 failed logins an hour block the username for 24 hours`,
      });
    }
    if (response.status === 404 && c.company !== undefined) {
      const key = `${c.service}|${c.company}`;
      if (!c.warned.has(key)) {
        c.warned.add(key);
        c.log.warn(`${c.service}/Get answered 404 for company ${c.company} (not available in that company): skipped`);
      }
      return "ignore";
    }
    if (response.status === 400 && c.filtered) throw new FilterRefused(`${c.service}/Get refused $filter${where}`);
    return undefined;
  };
}
