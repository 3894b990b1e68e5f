import { Secret } from "../config/index.js";
import type { IncrementalCursor, Item } from "../extract/index.js";
import type { QueryValue } from "../http/index.js";
import { DataError } from "../util/errors.js";
import { findAll } from "../util/json-path.js";
import type { PageRequest } from "./paginators/types.js";
import { type Lookup, type PlaceholderRef, renderJson, renderString, wholePlaceholder } from "./placeholders.js";
import type { Endpoint, HttpMethod, ParamValue } from "./types.js";
import { joinUrl } from "./url.js";

export interface LookupSources {
  resourceName: string;
  parent?: { name: string; item: Item };
  incremental?: IncrementalCursor;
  convert?: (value: unknown) => unknown;
}

function fieldsOf(item: unknown): string {
  return item !== null && typeof item === "object" ? Object.keys(item).slice(0, 20).join(", ") : typeof item;
}

/** Resolves placeholders for one request: parent fields of one parent item, incremental values. */
export function makeLookup(s: LookupSources): Lookup {
  return (ref: PlaceholderRef) => {
    if (ref.kind === "resource") {
      if (!s.parent || s.parent.name !== ref.resource) {
        throw new DataError(`resource ${s.resourceName}: placeholder ${ref.raw} has no ${ref.resource} item to read from`);
      }
      const found = findAll(s.parent.item, ref.field);
      if (found.length === 0) {
        throw new DataError(
          `resource ${s.resourceName}: placeholder ${ref.raw}: the ${ref.resource} item has no ${ref.field} (fields: ${fieldsOf(s.parent.item)})`,
          {
            hint: "fix the field in the placeholder: it is a JSONPath into one parent item, before processing steps rename anything",
          },
        );
      }
      return found[0];
    }
    if (ref.kind === "incremental") {
      const inc = s.incremental;
      const raw = !inc
        ? undefined
        : ref.key === "start_value"
          ? inc.startValue
          : ref.key === "initial_value"
            ? inc.initialValue
            : ref.key === "last_value"
              ? inc.lastValue
              : inc.endValue;
      return raw !== undefined && raw !== null && s.convert ? s.convert(raw) : raw;
    }
    return ref.raw;
  };
}

function renderParam(v: ParamValue, lookup: Lookup): QueryValue {
  if (typeof v === "string") {
    const whole = wholePlaceholder(v);
    if (whole && (whole.kind === "resource" || whole.kind === "incremental")) {
      const value = lookup(whole);
      // No value yet (first run without initialValue): leave the parameter out rather than send "".
      if (value === null || value === undefined) return undefined;
      if (typeof value === "number" || typeof value === "boolean") return value;
      return renderString(v, () => value);
    }
    return renderString(v, lookup);
  }
  if (Array.isArray(v)) return (v as unknown[]).map((x) => (typeof x === "string" ? renderString(x, lookup) : x)) as QueryValue;
  return v as QueryValue;
}

export interface RequestParts {
  endpoint: Endpoint & { path: string; method: HttpMethod };
  baseUrl: string;
  clientHeaders?: Record<string, string | Secret>;
  incremental?: { startParam?: string; endParam?: string };
}

/** The first page request of one run: placeholders filled (URL-encoded in the path), headers merged. */
export function buildPageRequest(parts: RequestParts, lookup: Lookup): PageRequest {
  const e = parts.endpoint;
  const params: Record<string, QueryValue> = {};
  for (const [k, v] of Object.entries(e.params ?? {})) {
    const rendered = renderParam(v, lookup);
    if (rendered !== undefined) params[k] = rendered;
  }
  const inc = parts.incremental;
  for (const [param, key] of [
    [inc?.startParam, "start_value"],
    [inc?.endParam, "end_value"],
  ] as const) {
    if (!param) continue;
    const value = lookup({ kind: "incremental", key, raw: `{incremental.${key}}` });
    if (value !== null && value !== undefined)
      params[param] = value instanceof Date ? value.toISOString() : (value as QueryValue);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...parts.clientHeaders, ...e.headers })) {
    headers[k] = v instanceof Secret ? v.reveal() : renderString(v, lookup);
  }
  const request: PageRequest = {
    method: e.method,
    url: joinUrl(parts.baseUrl, renderString(e.path, lookup, true)),
    params,
    headers,
  };
  if (e.json !== undefined) request.json = renderJson(e.json, lookup);
  if (e.data !== undefined) {
    request.data =
      typeof e.data === "string"
        ? renderString(e.data, lookup)
        : Object.fromEntries(Object.entries(e.data).map(([k, v]) => [k, typeof v === "string" ? renderString(v, lookup) : v]));
  }
  return request;
}
