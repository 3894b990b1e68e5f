import { Resource } from "../extract/index.js";
import type { ColumnHint } from "../schema/types.js";
import { parseTemplate } from "./placeholders.js";
import type {
  Endpoint,
  EndpointResource,
  EndpointResourceBase,
  HttpMethod,
  ParamValue,
  RESTAPIConfig,
  ResolveParamConfig,
} from "./types.js";

/** A resource entry after dlt's defaults merge: every endpoint has a path and a method. */
export interface MergedResource {
  /** Position in `config.resources`, for error paths (`resources[2]...`). */
  index: number;
  name: string;
  config: Omit<EndpointResource, "endpoint"> & { endpoint: Endpoint & { path: string; method: HttpMethod } };
  /** Legacy `resolve` params whose `{name}` was not found in the path (a config error). */
  unboundResolve: string[];
}

/** A plain `Resource` mixed into `resources` (e.g. a seed parent). */
export interface ForeignResource {
  index: number;
  name: string;
  instance: Resource;
}

export type ResourceEntry = MergedResource | ForeignResource;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function endpointOf(e: string | Endpoint | undefined): Endpoint {
  if (e === undefined) return {};
  return typeof e === "string" ? { path: e } : e;
}

function mergeColumns(a?: Record<string, ColumnHint>, b?: Record<string, ColumnHint>): Record<string, ColumnHint> | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: Record<string, ColumnHint> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = { ...a[k], ...v };
  return out;
}

/**
 * dlt's `_merge_resource_endpoints`: endpoint keys override the defaults one by one, except
 * `params` and `json`, which merge one level deep; `columns` merge per column; every other
 * resource key simply overrides.
 */
function mergeEndpoint(defaults: Endpoint, own: Endpoint): Endpoint {
  const merged: Endpoint = { ...defaults, ...own };
  if (defaults.params || own.params) merged.params = { ...defaults.params, ...own.params };
  if (isPlainObject(defaults.json) && isPlainObject(own.json)) merged.json = { ...defaults.json, ...own.json };
  return merged;
}

const LAST_SEGMENT_PLACEHOLDER = /\{([a-zA-Z0-9.\-_]+)\}/;

function isResolve(v: ParamValue | undefined): v is ResolveParamConfig {
  return isPlainObject(v) && v.type === "resolve";
}

/**
 * dlt's legacy forms in the path: `{id}` bound by a `resolve` param becomes
 * `{resources.<resource>.<field>}`, and `{id}` with a static param is filled and the param dropped.
 */
function bindPathParams(endpoint: Endpoint & { path: string }): string[] {
  const params: NonNullable<Endpoint["params"]> = {};
  const unbound: string[] = [];
  let path = endpoint.path;
  for (const [name, value] of Object.entries(endpoint.params ?? {})) {
    const token = `{${name}}`;
    if (isResolve(value)) {
      if (!path.includes(token)) unbound.push(name);
      path = path.split(token).join(`{resources.${value.resource}.${value.field}}`);
    } else if (
      path.includes(token) &&
      value !== null &&
      value !== undefined &&
      !Array.isArray(value) &&
      typeof value !== "object"
    ) {
      path = path.split(token).join(String(value).replace(/[{}]/g, (c) => c + c));
    } else {
      params[name] = value;
    }
  }
  endpoint.path = path;
  endpoint.params = params;
  return unbound;
}

function merge(index: number, raw: string | EndpointResource, defaults: EndpointResourceBase): MergedResource {
  const own: EndpointResource = typeof raw === "string" ? { name: raw, endpoint: { path: raw } } : raw;
  const { endpoint: defEndpoint, columns: defColumns, ...defRest } = defaults;
  const { endpoint: ownEndpoint, columns: ownColumns, ...ownRest } = own;
  const endpoint = mergeEndpoint(endpointOf(defEndpoint), endpointOf(ownEndpoint));
  const full = { ...endpoint, path: endpoint.path ?? own.name, method: endpoint.method ?? "GET" };
  const unboundResolve = bindPathParams(full);
  // Single entity (`issues/{resources.issues.number}`): one object, not a list, unless told otherwise.
  const last = full.path.split("?")[0]?.split("/").filter(Boolean).pop() ?? "";
  const hasPlaceholder = LAST_SEGMENT_PLACEHOLDER.test(last) && parseTemplate(last).some((s) => typeof s !== "string");
  if (hasPlaceholder) {
    full.paginator ??= "single_page";
    full.dataSelector ??= "$";
  }
  const columns = mergeColumns(defColumns, ownColumns);
  return {
    index,
    name: own.name,
    config: { ...defRest, ...ownRest, ...(columns ? { columns } : {}), endpoint: full },
    unboundResolve,
  };
}

/** Every entry of `config.resources`, with defaults applied; validation ran before. */
export function mergeResources(config: RESTAPIConfig): ResourceEntry[] {
  const defaults = config.resourceDefaults ?? {};
  return config.resources.map((r, index) =>
    r instanceof Resource ? { index, name: r.name, instance: r } : merge(index, r, defaults),
  );
}
