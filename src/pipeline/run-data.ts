import type { ConfigResolver } from "../config/index.js";
import { Resource, resource as makeResource, type ResourceHints } from "../extract/resource.js";
import { Source } from "../extract/source.js";
import type { ColumnHint, SchemaContract, WriteDisposition } from "../schema/types.js";
import { ConfigError } from "../util/errors.js";

/** Hints applied to every resource of the data passed to `run`/`extract`. */
export interface RunOptions {
  tableName?: string;
  writeDisposition?: WriteDisposition;
  primaryKey?: string | string[];
  columns?: Record<string, ColumnHint>;
  schemaContract?: SchemaContract;
  /**
   * Forget the selected resources' state (incremental cursors, their own state) before
   * extracting, so they read everything again; merge keeps the rows unique. The reset commits
   * with the load like any state change (a failed run resets nothing).
   */
  fullRefresh?: boolean;
}

export type RunData = Source | Resource | Resource[] | Iterable<unknown> | AsyncIterable<unknown>;

/**
 * What `run`/`extract` accept, as one source: a source, a resource, resources, or plain items.
 * A source made without a resolver reads its config from `config`, the pipeline's.
 */
export function toSource(data: RunData, opts: RunOptions, defaultName: string, config: ConfigResolver): Source {
  let src: Source;
  if (data instanceof Source) src = data.configure(config);
  else if (data instanceof Resource) src = new Source(defaultName, [data]);
  else if (Array.isArray(data) && data.length > 0 && data.every((d) => d instanceof Resource)) {
    src = new Source(defaultName, data as Resource[]);
  } else {
    if (!opts.tableName) {
      throw new ConfigError("run() got plain data without a table name", {
        hint: 'pass { tableName: "my_table" } as the second argument, or wrap the data in resource(...)',
      });
    }
    const items = data as Iterable<unknown> | AsyncIterable<unknown>;
    src = new Source(defaultName, [
      makeResource(
        async function* () {
          yield* items as AsyncIterable<unknown>;
        },
        { name: opts.tableName },
      ),
    ]);
  }
  const hints: ResourceHints = {};
  if (opts.writeDisposition) hints.writeDisposition = opts.writeDisposition;
  if (opts.primaryKey) hints.primaryKey = opts.primaryKey;
  if (opts.columns) hints.columns = opts.columns;
  if (opts.schemaContract) hints.schemaContract = opts.schemaContract;
  if (Object.keys(hints).length > 0) for (const r of src.resources.values()) r.applyHints(hints);
  return src;
}
