import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ConfigResolver } from "../config/resolver.js";
import { Resource } from "../extract/resource.js";
import { Source } from "../extract/source.js";
import { ConfigError } from "../util/errors.js";

/** A named source the CLI can build from configuration alone; `resources` is `--resources`,
 * given to the factory so that it can offer more than its default set (any Sage endpoint). */
export type SourceFactory = (config: ConfigResolver, resources: string[] | undefined) => Promise<Source>;

const named = new Map<string, { factory: SourceFactory; description: string }>();

export function registerCliSource(name: string, description: string, factory: SourceFactory): void {
  named.set(name, { factory, description });
}

function asSource(value: unknown, where: string): Source {
  if (value instanceof Source) return value;
  if (value instanceof Resource) return new Source(value.name, [value]);
  if (Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Resource)) {
    return new Source("source", value);
  }
  throw new ConfigError(`${where} does not export a source`, {
    hint: "export default source(...), a resource, an array of resources, or a function returning one",
  });
}

/**
 * `run [source]`: a registered name (the Sage sources) or a path to a JavaScript module whose
 * default export is a source, a resource, an array of resources, or a (async) function
 * returning one of those and taking the config resolver.
 */
export async function loadSource(spec: string, config: ConfigResolver, resources?: string[]): Promise<Source> {
  const entry = named.get(spec);
  if (entry) return entry.factory(config, resources);
  const looksLikePath = /[/\\]|\.(m?js|cjs)$/.test(spec);
  if (!looksLikePath) {
    throw new ConfigError(`unknown source ${JSON.stringify(spec)}`, {
      hint: `use one of: ${[...named.keys()].join(", ") || "(none registered)"}, or a path to a module such as ./my-source.js`,
    });
  }
  const path = resolve(spec);
  if (!existsSync(path)) throw new ConfigError(`source module ${path} does not exist`);
  const mod = (await import(pathToFileURL(path).href)) as { default?: unknown; source?: unknown };
  let value = mod.default ?? mod.source;
  if (typeof value === "function" && !(value instanceof Resource))
    value = await (value as (c: ConfigResolver) => unknown)(config);
  const src = asSource(value, path);
  return resources ? src.withResources(...resources) : src;
}
