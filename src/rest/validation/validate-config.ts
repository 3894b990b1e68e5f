import { ConfigError } from "../../util/errors.js";
import { isPlainObject, type MergedResource, mergeResources, type ResourceEntry } from "../merge.js";
import { collectRefs, type PlaceholderRef } from "../placeholders.js";
import type { RESTAPIConfig } from "../types.js";
import { configCheck } from "./shapes.js";
import { didYouMean } from "../../util/suggest.js";

/** Where placeholders may appear, and whether a bare `{name}` there is an error. */
const PLACES = [
  ["path", true],
  ["params", false],
  ["json", false],
  ["data", false],
  ["headers", false],
] as const;

function refsByPlace(r: MergedResource): Array<[string, PlaceholderRef[], boolean]> {
  const e = r.config.endpoint as unknown as Record<string, unknown>;
  return PLACES.map(([key, strict]) => [key, collectRefs(e[key]), strict]);
}

/** Parent of each REST resource (by placeholder), after checking the references make sense. */
function checkDependencies(entries: ResourceEntry[], out: string[]): Map<string, string> {
  const names = entries.map((e) => e.name);
  const parents = new Map<string, string>();
  for (const entry of entries) {
    if (!("config" in entry)) continue;
    const at = `resources[${entry.index}].endpoint`;
    const found = new Set<string>();
    const hasIncremental = entry.config.endpoint.incremental !== undefined;
    if (entry.config.endpoint.json !== undefined && entry.config.endpoint.data !== undefined) {
      out.push(`${at}: json and data are mutually exclusive (after merging resourceDefaults); send one body`);
    }
    for (const name of entry.unboundResolve) {
      out.push(
        `${at}.params.${name}: a resolve param needs {${name}} in the path (${JSON.stringify(entry.config.endpoint.path)})`,
      );
    }
    for (const [place, refs, strict] of refsByPlace(entry)) {
      for (const ref of refs) {
        if (ref.kind === "resource") {
          if (!names.includes(ref.resource)) {
            out.push(`${at}.${place}: placeholder ${ref.raw} names no resource${didYouMean(ref.resource, names)}`);
          } else if (ref.resource === entry.name) {
            out.push(`${at}.${place}: placeholder ${ref.raw} makes ${entry.name} its own parent`);
          } else found.add(ref.resource);
        } else if (ref.kind === "incremental" && !hasIncremental) {
          out.push(`${at}.${place}: placeholder ${ref.raw} needs endpoint.incremental ({ cursorPath, initialValue })`);
        } else if (ref.kind === "unknown") {
          out.push(
            `${at}.${place}: unknown placeholder ${ref.raw}; use {resources.<parent>.<field>} or {incremental.start_value}, and write literal braces as {{ and }}`,
          );
        } else if (ref.kind === "name" && strict) {
          out.push(
            `${at}.${place}: placeholder ${ref.raw} is not bound; write {resources.<parent>.<field>}, or add params.${ref.name} as { type: "resolve", resource, field }`,
          );
        }
      }
    }
    if (found.size > 1) {
      out.push(
        `${at}: placeholders name several parent resources (${[...found].join(", ")}); a child resource has exactly one parent`,
      );
    } else if (found.size === 1) parents.set(entry.name, [...found][0] as string);
    if (entry.config.includeFromParent?.length && found.size === 0) {
      out.push(
        `resources[${entry.index}].includeFromParent: ${entry.name} has no parent; includeFromParent needs a {resources.<parent>.<field>} placeholder in the endpoint`,
      );
    }
  }
  return parents;
}

function checkUrls(baseUrl: string, entries: ResourceEntry[], out: string[]): void {
  if (baseUrl) {
    if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
      out.push(`client.baseUrl: ${JSON.stringify(baseUrl)} is not an absolute http(s) URL (like https://api.example.com/v1)`);
    }
    return;
  }
  for (const e of entries) {
    if ("config" in e && !/^https?:\/\//i.test(e.config.endpoint.path)) {
      out.push(
        `resources[${e.index}].endpoint.path: client.baseUrl is empty, so the path must be an absolute URL, got ${JSON.stringify(e.config.endpoint.path)}`,
      );
    }
  }
}

/** Resource names in an order where every parent comes before its children. */
export function topologicalOrder(entries: ResourceEntry[], parents: Map<string, string>, out: string[]): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      out.push(`resources: dependency cycle ${[...trail, name].join(" -> ")}`);
      return;
    }
    state.set(name, "visiting");
    const parent = parents.get(name);
    if (parent) visit(parent, [...trail, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const e of entries) visit(e.name, []);
  return order;
}

export interface ValidatedConfig {
  entries: ResourceEntry[];
  parents: Map<string, string>;
  order: string[];
}

/**
 * Everything that can be known wrong before a request: unknown or misspelt keys (with the path
 * and a suggestion), wrong types, paginator options, duplicate names, placeholders that name no
 * resource or need an incremental, dependency cycles. All problems are reported at once.
 */
export function validateConfig(config: RESTAPIConfig): ValidatedConfig {
  const out: string[] = [];
  if (!isPlainObject(config)) {
    throw new ConfigError("the REST API config must be an object { client, resources }", { hint: "see the RESTAPIConfig type" });
  }
  configCheck(config, "", out);
  let validated: ValidatedConfig = { entries: [], parents: new Map(), order: [] };
  if (out.length === 0) {
    const entries = mergeResources(config);
    const seen = new Map<string, number>();
    for (const e of entries) {
      const prev = seen.get(e.name);
      if (prev !== undefined) out.push(`resources[${e.index}]: resource ${e.name} is already defined (resources[${prev}])`);
      else seen.set(e.name, e.index);
    }
    checkUrls(config.client.baseUrl, entries, out);
    const parents = checkDependencies(entries, out);
    const order = topologicalOrder(entries, parents, out);
    validated = { entries, parents, order };
  }
  if (out.length > 0) {
    throw new ConfigError(
      `REST API config has ${out.length === 1 ? "a problem" : `${out.length} problems`}:\n  ${out.join("\n  ")}`,
      {
        hint: "fix the keys listed; the shape is RESTAPIConfig (dlt's rest_api config, in camelCase)",
      },
    );
  }
  return validated;
}
