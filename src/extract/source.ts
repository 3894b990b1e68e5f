import type { SchemaContract } from "../schema/types.js";
import { ConfigError, DataError } from "../util/errors.js";
import { Resource } from "./resource.js";

export interface SourceOptions {
  schemaContract?: SchemaContract;
  maxTableNesting?: number;
  /** Per-host HTTP limits and such live with the source; the engine only passes them on. */
  meta?: Record<string, unknown>;
}

/** A named group of resources that share a schema and run concurrently. */
export class Source {
  readonly resources = new Map<string, Resource>();

  constructor(
    readonly name: string,
    resources: Iterable<Resource>,
    readonly options: SourceOptions = {},
  ) {
    if (!name || !/\S/.test(name)) throw new DataError("a source needs a non-empty name");
    for (const r of resources) {
      if (!(r instanceof Resource)) {
        throw new DataError(`source ${name}: every element must be a resource (got ${typeof r})`, {
          hint: "wrap functions with resource(fn, { name })",
        });
      }
      if (this.resources.has(r.name)) throw new DataError(`source ${name}: resource ${r.name} is defined twice`);
      this.resources.set(r.name, r);
    }
  }

  /** Resources that load data. */
  get selected(): Resource[] {
    return [...this.resources.values()].filter((r) => r.selected);
  }

  /** Keep only the named resources selected (the CLI's `--resources a,b`). Unknown names fail. */
  withResources(...names: string[]): this {
    const unknown = names.filter((n) => !this.resources.has(n));
    if (unknown.length > 0) {
      throw new ConfigError(`source ${this.name} has no resource named ${unknown.join(", ")}`, {
        hint: `choose from: ${[...this.resources.keys()].join(", ")}`,
      });
    }
    for (const r of this.resources.values()) r.hints.selected = names.includes(r.name);
    return this;
  }
}

export function source(name: string, resources: Iterable<Resource>, options?: SourceOptions): Source {
  return new Source(name, resources, options);
}
