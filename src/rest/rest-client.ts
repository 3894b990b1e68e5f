import { HttpClient, type HttpClientOptions, type HttpResponse, type QueryValue, type RequestAuth } from "../http/index.js";
import { logger, type Logger } from "../util/logger.js";
import { createAuth } from "./auth/registry.js";
import { type Page, paginate } from "./paginate.js";
import { responseActionsHook } from "./response-actions.js";
import type { AuthConfig, HttpMethod, PaginatorConfig, ResponseAction } from "./types.js";
import { joinUrl } from "./url.js";

export interface RestClientOptions extends Omit<HttpClientOptions, "headers" | "log"> {
  baseUrl: string;
  headers?: Record<string, string>;
  auth?: AuthConfig;
  /** Default paginator for `paginate` (auto-detected when absent). */
  paginator?: PaginatorConfig;
  /** Share a client (and its limiters) instead of creating one. */
  http?: HttpClient;
  log?: Logger;
}

export interface PaginateCallOptions {
  method?: HttpMethod;
  params?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  json?: unknown;
  data?: string | Record<string, string | number | boolean>;
  paginator?: PaginatorConfig;
  dataSelector?: string;
  responseActions?: ResponseAction[];
  signal?: AbortSignal;
  /** Who asks, for every message and log line (default `GET <path>`), e.g. `resource contacts, business "Acme" (b1)`. */
  label?: string;
  /** Yield pages without items too (to read every envelope). */
  emptyPages?: boolean;
}

/** dlt's `RESTClient` for code that wants pages without declaring resources. */
export class RestClient {
  readonly http: HttpClient;
  private readonly auth: RequestAuth | undefined;
  private readonly log: Logger;

  constructor(private readonly options: RestClientOptions) {
    this.http = options.http ?? new HttpClient({ ...options, headers: undefined, log: undefined });
    this.auth = options.auth ? createAuth(options.auth, "auth", options.resolver, ["sources", "rest_api"]) : undefined;
    this.log = options.log ?? logger("rest");
  }

  request(
    method: HttpMethod,
    path: string,
    init: Omit<PaginateCallOptions, "paginator" | "dataSelector" | "responseActions" | "method"> = {},
  ): Promise<HttpResponse> {
    return this.http.request({
      method,
      url: joinUrl(this.options.baseUrl, path),
      params: init.params,
      headers: { ...this.options.headers, ...init.headers },
      json: init.json,
      data: init.data,
      auth: this.auth,
      signal: init.signal,
      label: init.label ?? `${method} ${path}`,
    });
  }

  get(
    path: string,
    init?: Omit<PaginateCallOptions, "paginator" | "dataSelector" | "responseActions" | "method" | "json" | "data">,
  ): Promise<HttpResponse> {
    return this.request("GET", path, init);
  }

  post(
    path: string,
    init?: Omit<PaginateCallOptions, "paginator" | "dataSelector" | "responseActions" | "method">,
  ): Promise<HttpResponse> {
    return this.request("POST", path, init);
  }

  /** Pages of `path`, each `{ items, response, request }`, with the loop guard and parallel pages. */
  paginate(path: string, o: PaginateCallOptions = {}): AsyncGenerator<Page> {
    const label = o.label ?? `${o.method ?? "GET"} ${path}`;
    return paginate({
      http: this.http,
      request: {
        method: o.method ?? "GET",
        url: joinUrl(this.options.baseUrl, path),
        params: { ...o.params },
        headers: { ...this.options.headers, ...o.headers },
        ...(o.json !== undefined ? { json: o.json } : {}),
        ...(o.data !== undefined ? { data: o.data } : {}),
      },
      paginator: o.paginator ?? this.options.paginator,
      dataSelector: o.dataSelector,
      auth: this.auth,
      onResponse: responseActionsHook(o.responseActions, label, this.log),
      baseUrl: this.options.baseUrl,
      label,
      log: this.log,
      signal: o.signal,
      ...(o.emptyPages ? { emptyPages: true } : {}),
    });
  }
}
