import type { ConfigResolver } from "../config/index.js";
import type { SchemaContract } from "../schema/types.js";
import { ConfigError, DataError } from "../util/errors.js";
import { Resource } from "./resource.js";

export interface SourceOptions {
  schemaContract?: SchemaContract;
  maxTableNesting?: number;
  /** Per-host HTTP limits and such live with the source; the engine only passes them on. */
  meta?: Record<string, unknown>;
}

/** Builds a source from config: what `Source.fromConfig` defers until a resolver is at hand. */
export type SourceBuilder = (config: ConfigResolver) => Source;

/** A named group of resources that share a schema and run concurrently. */
export class Source {
  #resources: Map<string, Resource> | undefined;
  #options: SourceOptions;
  #build: SourceBuilder | undefined;
  #selection: string[] | undefined;

  constructor(
    readonly name: string,
    resources: Iterable<Resource>,
    options: SourceOptions = {},
  ) {
    if (!name || !/\S/.test(name)) throw new DataError("a source needs a non-empty name");
    this.#options = options;
    this.#resources = new Map();
    for (const r of resources) {
      if (!(r instanceof Resource)) {
        throw new DataError(`source ${name}: every element must be a resource (got ${typeof r})`, {
          hint: "wrap functions with resource(fn, { name })",
        });
      }
      if (this.#resources.has(r.name)) throw new DataError(`source ${name}: resource ${r.name} is defined twice`);
      this.#resources.set(r.name, r);
    }
  }

  /**
   * A source that reads its config when it gets a resolver: the pipeline that runs it calls
   * `configure(pipeline.config)` (dlt injects config the same way). The library's sources
   * return one of these when no resolver is passed, so nothing reads the working directory on
   * its own.
   */
  static fromConfig(name: string, build: SourceBuilder): Source {
    const s = new Source(name, []);
    s.#resources = undefined;
    s.#build = build;
    return s;
  }

  /** Whether the resources exist (false for a `fromConfig` source no pipeline has run yet). */
  get configured(): boolean {
    return this.#resources !== undefined;
  }

  /**
   * Build the resources from `config` if they are not built yet; a source is configured once
   * (by the first pipeline that runs it). A selection made before (`withResources`) applies.
   */
  configure(config: ConfigResolver): this {
    if (this.#resources !== undefined || !this.#build) return this;
    const built = this.#build(config);
    this.#resources = built.resources;
    this.#options = built.options;
    this.#build = undefined;
    if (this.#selection) this.withResources(...this.#selection);
    return this;
  }

  get resources(): Map<string, Resource> {
    if (this.#resources === undefined) {
      throw new ConfigError(`source ${this.name} has not read its config yet`, {
        hint: "run it through a pipeline (p.run(source)), or pass a resolver when you create it, e.g. ConfigResolver.fromCwd()",
      });
    }
    return this.#resources;
  }

  get options(): SourceOptions {
    return this.#options;
  }

  /** Resources that load data. */
  get selected(): Resource[] {
    return [...this.resources.values()].filter((r) => r.selected);
  }

  /** Keep only the named resources selected (the CLI's `--resources a,b`). Unknown names fail. */
  withResources(...names: string[]): this {
    if (this.#resources === undefined) {
      this.#selection = names;
      return this;
    }
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
