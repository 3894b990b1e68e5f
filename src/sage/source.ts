import { checkOptions, type ConfigResolver } from "../config/index.js";
import { type HintWords, HttpClient } from "../http/index.js";
import type { ResourceContext } from "../extract/index.js";
import { outsideResource, Source } from "../extract/index.js";
import { RestClient } from "../rest/index.js";
import { createSageAuth } from "./auth.js";
import { getEndpoint } from "./catalog/index.js";
import { type Business, listBusinesses } from "./businesses.js";
import { sageAuthError } from "./errors.js";
import {
  expandResources,
  type ResolvedSageOptions,
  SAGE_SPEC,
  type SageAccountingOptions,
  resolveSageOptions,
} from "./options.js";
import { ConfigError } from "../util/errors.js";
import { endpointResource } from "./resources.js";
import { SageSession } from "./session.js";

export const SAGE_SOURCE_NAME = "sage_accounting";

/** HTTP errors' hints in the words of this source's config, not the REST source's `client.*`. */
const SAGE_HINT_WORDS: HintWords = {
  baseUrl: "base_url in [sources.sage_accounting_source]",
  limiter: "max_concurrency or requests_per_second in [sources.sage_accounting_source]",
  request: "the resource's options in [sources.sage_accounting_source] (items_per_page, initial_updated_since)",
  notFound:
    "check base_url in [sources.sage_accounting_source]; Sage answers 404 for endpoints the business's country or plan lacks",
};

/**
 * Sage Business Cloud Accounting v3.1: every selected catalog endpoint of every business the
 * login can see, merged on `(business_id, id)`, incrementally. Options in code win over
 * `[sources.sage_accounting_source]` config and `SOURCES__SAGE_ACCOUNTING_SOURCE__*` env vars,
 * read from `config`, or without it from the resolver of the pipeline that runs the source.
 */
export function sageAccountingSource(options: SageAccountingOptions = {}, config?: ConfigResolver): Source {
  if (!config) {
    const given = checkOptions(SAGE_SPEC, options);
    if (given.resources) expandResources(given.resources);
    return Source.fromConfig(SAGE_SOURCE_NAME, (c) => sageAccountingSource(options, c));
  }
  const o = resolveSageOptions(options, config);
  const { client, http } = sageClient(o, config);
  // One SageSession per extract: the engine gives each extract its own abort signal.
  const sessions = new WeakMap<AbortSignal, Promise<SageSession>>();
  const sessionFor = (ctx: ResourceContext): Promise<SageSession> => {
    let session = sessions.get(ctx.signal);
    if (!session) {
      // The business list serves every resource: its request is not charged to the first that asked.
      session = outsideResource(() => SageSession.start(client, o.businesses, ctx.signal));
      sessions.set(ctx.signal, session);
    }
    return session;
  };
  const resources = o.resources.map((name) => endpointResource(getEndpoint(name), o, sessionFor));
  return new Source(SAGE_SOURCE_NAME, resources, { meta: { http } });
}

/** The login's REST client: auth (refresh and token store), retries and the per-host limiter. */
function sageClient(o: ResolvedSageOptions, config: ConfigResolver): { client: RestClient; http: HttpClient } {
  const auth = createSageAuth(o);
  const http = new HttpClient({
    resolver: config,
    hintWords: SAGE_HINT_WORDS,
    limiter: {
      maxConcurrency: o.maxConcurrency,
      ...(o.requestsPerSecond !== undefined ? { requestsPerSecond: o.requestsPerSecond } : {}),
    },
  });
  return { client: new RestClient({ baseUrl: o.baseUrl, auth, http }), http };
}

/**
 * The businesses of the configured login (`GET /businesses`, narrowed to `wanted`), and the
 * login's client id: what `enqueue` makes one job each of.
 */
export async function listLoginBusinesses(
  config: ConfigResolver,
  wanted: string[] | undefined,
  signal: AbortSignal,
): Promise<{ login: string; businesses: Business[] }> {
  const o = resolveSageOptions({}, config);
  const { client } = sageClient(o, config);
  try {
    const { businesses } = await listBusinesses(client, wanted, signal);
    return { login: o.clientId ?? "access_token", businesses };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw sageAuthError(err);
  }
}
