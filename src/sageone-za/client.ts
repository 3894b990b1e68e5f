import { createHash } from "node:crypto";
import type { ConfigResolver } from "../config/index.js";
import { BudgetExceededError, HttpClient, type QueryValue, type RateLimitError } from "../http/index.js";
import { tagPageUrl } from "../extract/index.js";
import { paginate, type PaginatorConfig } from "../rest/index.js";
import type { Logger } from "../util/logger.js";
import { SageOneZaAuth } from "./auth.js";
import { saResponseHook } from "./response-hook.js";
import type { SageOneZaSettings } from "./settings.js";

/** `$top`/`$skip` on `TotalResults`: Sage returns at most 100 rows a call whatever `$top` says. */
export const SA_PAGE_SIZE = 100;
const PAGINATOR: PaginatorConfig = {
  type: "offset",
  limit: SA_PAGE_SIZE,
  offsetParam: "$skip",
  limitParam: "$top",
  totalPath: "TotalResults",
};

export interface ListRequest {
  service: string;
  /** Undefined for `Company/Get`, which is not company-scoped. */
  company?: number;
  params?: Record<string, QueryValue>;
  /** Prefixes messages, e.g. `tax_invoices (company 31123)`. */
  label: string;
  signal?: AbortSignal;
  log: Logger;
  /** Told of a 429 before it is thrown, to stop every other request at once. */
  onBlocked: (error: RateLimitError) => void;
  /** Warn-once memory (one per run): a list skipped on 404 is reported once per company. */
  warned?: Set<string>;
}

/**
 * The SA API's transport. Sage limits requests per API key + company + user (100 a minute, or
 * the IP is blocked for an hour), so every company gets its own HttpClient and therefore its own
 * limiter (`requestsPerSecond`, a per-minute cap, `dailyBudget`): companies load side by side,
 * each paced on its own, while all lists of one company share that company's pace. `Company/Get`
 * has a pace of its own too. In a queue worker the pace is shared with every other worker
 * (`sharedPaceKey`; runtime/shared-pacer.ts); the concurrency per company stays per process.
 */
export class SageOneZaClient {
  private readonly clients = new Map<string, HttpClient>();
  private readonly auth: SageOneZaAuth;

  constructor(
    private readonly settings: SageOneZaSettings,
    private readonly config: ConfigResolver,
  ) {
    this.auth = new SageOneZaAuth(settings.apiKey, settings.username, settings.password);
  }

  /** The HttpClient that paces `company` (`account` for calls outside a company). */
  http(company: number | undefined): HttpClient {
    const key = company === undefined ? "account" : String(company);
    let client = this.clients.get(key);
    if (!client) {
      const s = this.settings;
      client = new HttpClient({
        resolver: this.config,
        ...(s.retry ? { retry: s.retry } : {}),
        limiter: {
          maxConcurrency: s.maxConcurrency,
          requestsPerSecond: s.requestsPerSecond,
          requestsPerMinute: s.requestsPerMinute,
          dailyBudget: s.dailyBudget,
          // A 429 fails the run (the IP is blocked); there is nothing to adapt to.
          adaptive: false,
          sharedPaceKey: this.paceKey(key),
        },
      });
      this.clients.set(key, client);
    }
    return client;
  }

  /**
   * Sage counts per API key + user + company: queue workers loading the same company with the
   * same login share one pace (a hash, so the store never holds the key or the login).
   */
  private paceKey(company: string): string {
    const who = createHash("sha256").update(`${this.settings.apiKey.reveal()}\u0000${this.settings.username}`).digest("hex");
    return `sageone-za:${who.slice(0, 16)}:${company}`;
  }

  /** Pages (arrays of records) of `<service>/Get`, until `$skip` reaches `TotalResults`. */
  async *pages(r: ListRequest): AsyncGenerator<Record<string, unknown>[]> {
    const params: Record<string, QueryValue> = { ...(r.company === undefined ? {} : { CompanyId: r.company }), ...r.params };
    const http = this.http(r.company);
    try {
      for await (const page of paginate({
        http,
        request: { method: "GET", url: `${this.settings.baseUrl}/${r.service}/Get`, params, headers: {} },
        paginator: PAGINATOR,
        dataSelector: "Results",
        auth: this.auth,
        onResponse: saResponseHook({
          service: r.service,
          company: r.company,
          filtered: params.$filter !== undefined,
          requestsPerSecond: this.settings.requestsPerSecond,
          log: r.log,
          warned: r.warned ?? new Set(),
          onBlocked: r.onBlocked,
        }),
        baseUrl: this.settings.baseUrl,
        label: r.label,
        log: r.log,
        ...(r.signal ? { signal: r.signal } : {}),
      })) {
        yield tagPageUrl(page.items as Record<string, unknown>[], page.response.url);
      }
    } catch (err) {
      if (err instanceof BudgetExceededError) {
        throw new BudgetExceededError(
          { method: err.method, url: err.url, label: r.label },
          `not sent: the daily budget of ${this.settings.dailyBudget} requests ${r.company === undefined ? "outside companies" : `for company ${r.company}`} is spent`,
          {
            hint: "Sage allows 5,000 requests a day per company; raise daily_budget under [sources.sage_one_za_source] if your plan allows more, or run again tomorrow (UTC)",
          },
        );
      }
      throw err;
    }
  }
}
