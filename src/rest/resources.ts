import type { ConfigResolver } from "../config/index.js";
import {
  Incremental,
  incremental,
  type Item,
  Resource,
  resource,
  type ResourceContext,
  type ResourceHints,
  tagPageUrl,
  transformer,
} from "../extract/index.js";
import {
  HttpClient,
  type LimiterOptions,
  orderedParallel,
  type RequestAuth,
  type RequestEventListener,
  type RetryPolicy,
} from "../http/index.js";
import { DataError } from "../util/errors.js";
import { findAll } from "../util/json-path.js";
import { createAuth } from "./auth/registry.js";
import type { MergedResource } from "./merge.js";
import { paginate } from "./paginate.js";
import { buildPageRequest, makeLookup } from "./request-builder.js";
import { responseActionsHook } from "./response-actions.js";
import type { AuthConfig, PaginatorConfig, RESTAPIConfig } from "./types.js";
import { validateConfig } from "./validation/validate-config.js";

export interface RestApiOptions {
  /** Config section of the source (`sources.<name>` for auth fields and limiter keys). Default `rest_api`. */
  sourceName?: string;
  /** Where `[runtime]` retry keys, auth fields and `[sources.<name>.limiter]` come from (default: none, only code). */
  resolver?: ConfigResolver;
  /** Explicit retry settings (win over `[runtime]`). */
  retry?: Partial<RetryPolicy>;
  /** Sees every request event (redacted). */
  onEvent?: RequestEventListener;
  /** Share one client (and its per-host limiters) between several sources. */
  http?: HttpClient;
}

interface Shared {
  http: HttpClient;
  /** One auth per config object: resources sharing `resourceDefaults.endpoint.auth` share one token (and one refresh of a rotating refresh token). */
  authFor(config: AuthConfig, where: string): RequestAuth;
  baseUrl: string;
  clientHeaders: RESTAPIConfig["client"]["headers"];
  clientAuth: RequestAuth | undefined;
  clientPaginator: PaginatorConfig | undefined;
  resolver: ConfigResolver | undefined;
  sections: string[];
}

const LIMITER_KEYS: ReadonlyArray<[keyof LimiterOptions, string]> = [
  ["maxConcurrency", "max_concurrency"],
  ["requestsPerSecond", "requests_per_second"],
  ["requestsPerMinute", "requests_per_minute"],
  ["dailyBudget", "daily_budget"],
];

/** `[sources.<name>.limiter]` / `SOURCES__<NAME>__LIMITER__MAX_CONCURRENCY`, under explicit `client.limiter`. */
function limiterFromConfig(
  resolver: ConfigResolver | undefined,
  sections: string[],
  explicit: LimiterOptions | undefined,
): LimiterOptions {
  const out: LimiterOptions = {};
  for (const [field, key] of LIMITER_KEYS) {
    const v = resolver?.number([...sections, "limiter"], key);
    if (v !== undefined) (out as Record<string, number>)[field] = v;
  }
  return { ...out, ...explicit };
}

function parentFields(child: unknown, parent: Item, parentName: string, fields: string[], resourceName: string): unknown {
  if (child === null || typeof child !== "object" || Array.isArray(child)) return child;
  const out: Record<string, unknown> = { ...(child as Record<string, unknown>) };
  for (const f of fields) {
    const found = findAll(parent, f);
    if (found.length === 0) {
      throw new DataError(
        `resource ${resourceName}: includeFromParent field ${f} is not in the ${parentName} item (fields: ${Object.keys(parent).slice(0, 20).join(", ")})`,
        {
          hint: "fix includeFromParent: it names fields of the parent's items",
        },
      );
    }
    out[`_${parentName}_${f}`] = found[0];
  }
  return out;
}

function hintsOf(c: MergedResource["config"], inc: Incremental | undefined): ResourceHints {
  const hints: ResourceHints = {
    name: c.name,
    tableName: c.tableName,
    primaryKey: c.primaryKey,
    mergeKey: c.mergeKey,
    writeDisposition: c.writeDisposition,
    columns: c.columns,
    maxTableNesting: c.maxTableNesting,
    schemaContract: c.schemaContract,
    selected: c.selected,
    parallelized: c.parallelized,
    incremental: inc,
  };
  // Only the hints that are set: an explicit `undefined` would override a source default when merged.
  return Object.fromEntries(Object.entries(hints).filter(([, v]) => v !== undefined));
}

function buildResource(entry: MergedResource, parent: Resource | undefined, shared: Shared): Resource {
  const c = entry.config;
  const e = c.endpoint;
  const label = `resource ${entry.name}`;
  const auth = e.auth ? shared.authFor(e.auth, `resources[${entry.index}].endpoint.auth`) : shared.clientAuth;
  const incConfig = e.incremental instanceof Incremental ? undefined : e.incremental;
  const inc =
    e.incremental instanceof Incremental
      ? e.incremental
      : incConfig
        ? incremental((({ convert: _c, startParam: _s, endParam: _e, ...rest }) => rest)(incConfig))
        : undefined;
  const notes = new Set<string>();
  const paginatorConfig = e.paginator ?? shared.clientPaginator;

  async function* run(ctx: ResourceContext, parentItem?: Item): AsyncGenerator<unknown[]> {
    const lookup = makeLookup({
      resourceName: entry.name,
      parent: parent && parentItem ? { name: parent.name, item: parentItem } : undefined,
      incremental: ctx.incremental,
      convert: incConfig?.convert,
    });
    const request = buildPageRequest(
      { endpoint: e, baseUrl: shared.baseUrl, clientHeaders: shared.clientHeaders, incremental: incConfig },
      lookup,
    );
    const pages = paginate({
      http: shared.http,
      request,
      paginator: paginatorConfig,
      dataSelector: e.dataSelector,
      auth,
      onResponse: responseActionsHook(e.responseActions, label, ctx.log),
      baseUrl: shared.baseUrl,
      label,
      log: ctx.log,
      signal: ctx.signal,
      shouldStop: () => ctx.incremental?.stopRequested === true,
      notes,
    });
    const include = c.includeFromParent;
    for await (const page of pages) {
      yield tagPageUrl(
        include?.length && parent && parentItem
          ? page.items.map((it) => parentFields(it, parentItem, parent.name, include, entry.name))
          : page.items,
        page.response.url,
      );
    }
  }

  const hints = hintsOf(c, inc);
  let built: Resource;
  if (!parent) {
    built = resource((ctx) => run(ctx), hints);
  } else {
    built = transformer(
      async function* (items: Item[], ctx: ResourceContext) {
        if (c.parallelized) {
          // dlt buffers a parent item's pages too: order stays parent by parent, fetching overlaps.
          // Siblings still running when one fails (or the consumer stops) are cancelled.
          const controller = new AbortController();
          const onAbort = () => {
            controller.abort(ctx.signal.reason);
          };
          ctx.signal.addEventListener("abort", onAbort, { once: true });
          const local: ResourceContext = { ...ctx, signal: controller.signal };
          try {
            const tasks = items.map((item) => async () => {
              const pages: unknown[][] = [];
              for await (const p of run(local, item)) pages.push(p);
              return pages;
            });
            for await (const pages of orderedParallel(tasks, shared.http.limiters.maxConcurrency)) yield* pages;
          } finally {
            ctx.signal.removeEventListener("abort", onAbort);
            controller.abort();
          }
          return;
        }
        for (const item of items) {
          yield* run(ctx, item);
          if (ctx.signal.aborted) return;
        }
      },
      { ...hints, name: entry.name, dataFrom: parent },
    );
  }
  for (const step of c.processingSteps ?? []) {
    if ("filter" in step) built.addFilter(step.filter);
    else if ("map" in step) built.addMap(step.map);
    else built.addYieldMap(step.yieldMap);
  }
  return built;
}

/**
 * dlt's `rest_api_resources`: validate the config (all problems at once, before any request),
 * merge defaults, build resources in dependency order (parents first). One HTTP client serves
 * them all, so they share the per-host limiter and one token refresh.
 */
export function buildRestApi(config: RESTAPIConfig, options: RestApiOptions = {}): { resources: Resource[]; http: HttpClient } {
  const { entries, parents, order } = validateConfig(config);
  const resolver = options.resolver;
  const sections = ["sources", options.sourceName ?? "rest_api"];
  const http =
    options.http ??
    new HttpClient({
      retry: options.retry,
      resolver,
      limiter: limiterFromConfig(resolver, sections, config.client.limiter),
      onEvent: options.onEvent,
    });
  const auths = new Map<unknown, RequestAuth>();
  const authFor = (a: AuthConfig, where: string): RequestAuth => {
    let made = auths.get(a);
    if (!made) {
      made = createAuth(a, where, resolver, sections);
      auths.set(a, made);
    }
    return made;
  };
  const shared: Shared = {
    http,
    authFor,
    baseUrl: config.client.baseUrl,
    clientHeaders: config.client.headers,
    clientAuth: config.client.auth ? authFor(config.client.auth, "client.auth") : undefined,
    clientPaginator: config.client.paginator,
    resolver,
    sections,
  };
  const built = new Map<string, Resource>();
  for (const name of order) {
    const entry = entries.find((x) => x.name === name);
    if (!entry) continue;
    if ("instance" in entry) {
      built.set(name, entry.instance);
      continue;
    }
    const parentName = parents.get(name);
    built.set(name, buildResource(entry, parentName ? built.get(parentName) : undefined, shared));
  }
  return { resources: order.map((n) => built.get(n)).filter((r): r is Resource => r !== undefined), http };
}

/** dlt's `rest_api_resources(config)`: the resources, for use in your own `source(...)`. */
export function restApiResources(config: RESTAPIConfig, options?: RestApiOptions): Resource[] {
  return buildRestApi(config, options).resources;
}
