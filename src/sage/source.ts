import { ConfigResolver } from "../config/index.js";
import { HttpClient } from "../http/index.js";
import type { ResourceContext } from "../extract/index.js";
import { Source } from "../extract/index.js";
import { RestClient } from "../rest/index.js";
import { createSageAuth } from "./auth.js";
import { getEndpoint } from "./catalog/index.js";
import { type SageAccountingOptions, resolveSageOptions } from "./options.js";
import { endpointResource } from "./resources.js";
import { SageRun } from "./run-context.js";

export const SAGE_SOURCE_NAME = "sage_accounting";

/**
 * Sage Business Cloud Accounting v3.1: every selected catalog endpoint of every business the
 * login can see, merged on `(business_id, id)`, incrementally. Options in code win over
 * `[sources.sage_accounting_source]` config and `SOURCES__SAGE_ACCOUNTING_SOURCE__*` env vars.
 */
export function sageAccountingSource(
  options: SageAccountingOptions = {},
  config: ConfigResolver = ConfigResolver.fromCwd(),
): Source {
  const o = resolveSageOptions(options, config);
  const auth = createSageAuth(o);
  const http = new HttpClient({
    resolver: config,
    limiter: {
      maxConcurrency: o.maxConcurrency,
      ...(o.requestsPerSecond !== undefined ? { requestsPerSecond: o.requestsPerSecond } : {}),
    },
  });
  const client = new RestClient({ baseUrl: o.baseUrl, auth, http });
  // One SageRun per extract: the engine gives each extract its own abort signal.
  const runs = new WeakMap<AbortSignal, Promise<SageRun>>();
  const runFor = (ctx: ResourceContext): Promise<SageRun> => {
    let run = runs.get(ctx.signal);
    if (!run) {
      run = SageRun.start(client, o.businesses, ctx.signal);
      runs.set(ctx.signal, run);
    }
    return run;
  };
  const resources = o.resources.map((name) => endpointResource(getEndpoint(name), o, runFor));
  return new Source(SAGE_SOURCE_NAME, resources, { meta: { http } });
}
