import { Source, source } from "../extract/index.js";
import type { SchemaContract } from "../schema/types.js";
import { buildRestApi, type RestApiOptions } from "./resources.js";
import type { RESTAPIConfig } from "./types.js";
import { validateConfig } from "./validation/validate-config.js";

export interface RestApiSourceOptions extends Omit<RestApiOptions, "sourceName"> {
  /** Source name and config section (`sources.<name>`); default `rest_api`, as in dlt. */
  name?: string;
  maxTableNesting?: number;
  schemaContract?: SchemaContract;
  /** Mark every resource `parallelized` (dlt's `rest_api_source(parallelized=True)`). */
  parallelized?: boolean;
}

/**
 * dlt's `rest_api_source(config)`: validates the whole config before any request and returns a
 * Source whose resources share one HTTP client (retries, per-host limiter, auth refresh). The
 * client is also in `source.options.meta.http` for stats (`http.limiters.stats()`). Without
 * `options.resolver`, auth fields, limiter keys and `[runtime]` come from the resolver of the
 * pipeline that runs the source.
 */
export function restApiSource(config: RESTAPIConfig, options: RestApiSourceOptions = {}): Source {
  const name = options.name ?? "rest_api";
  if (!options.resolver) {
    validateConfig(config);
    return Source.fromConfig(name, (resolver) => restApiSource(config, { ...options, resolver }));
  }
  const { resources, http } = buildRestApi(config, { ...options, sourceName: name });
  if (options.parallelized) for (const r of resources) r.hints.parallelized = true;
  return source(name, resources, {
    ...(options.maxTableNesting !== undefined ? { maxTableNesting: options.maxTableNesting } : {}),
    ...(options.schemaContract !== undefined ? { schemaContract: options.schemaContract } : {}),
    meta: { http },
  });
}
