import { setMaxListeners } from "node:events";
import type { ExtractedManifest, RawFile, ResourceManifest } from "../package/format.js";
import { DataError, PipelineError } from "../util/errors.js";
import { logger } from "../util/logger.js";
import { IncrementalCursor, type IncrementalState } from "./incremental.js";
import type { Item, Resource, ResourceContext, ResourceOutput } from "./resource.js";
import type { Source } from "./source.js";
import { RawWriter } from "./raw-writer.js";

/** `state.sources[<source>]`: shared source state plus one slot per resource. */
export interface SourceState {
  resources?: Record<string, ResourceState>;
  [key: string]: unknown;
}
export interface ResourceState {
  incremental?: Record<string, IncrementalState>;
  [key: string]: unknown;
}

export interface ExtractProgress {
  resource: string;
  items: number;
  pages: number;
  done: boolean;
}

export interface ExtractOptions {
  source: Source;
  /** The package's temporary folder (with a `raw/` subfolder). */
  dir: string;
  loadId: string;
  pipelineName: string;
  schemaName: string;
  /** `state.sources`; mutated in place with the new resource and incremental state. */
  sourcesState: Record<string, SourceState>;
  onProgress?: (p: ExtractProgress) => void;
  maxFileBytes?: number;
}

interface Running {
  resource: Resource;
  ctx: ResourceContext;
  cursor: IncrementalCursor | undefined;
  writers: Map<string, RawWriter>;
  manifest: ResourceManifest;
  children: Running[];
}

const log = logger("extract");

/** A resource failed; `cause` is the original error (an HTTP error class, a DataError...). */
export class ResourceError extends PipelineError {
  constructor(
    readonly resource: string,
    cause: unknown,
  ) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(msg.includes(`resource ${resource}`) ? msg : `resource ${resource}: ${msg}`, {
      cause,
      hint: cause instanceof PipelineError ? cause.hint : undefined,
    });
  }
}

function isIterable(v: unknown): v is Iterable<unknown> | AsyncIterable<unknown> {
  return v !== null && typeof v === "object" && (Symbol.asyncIterator in v || Symbol.iterator in v);
}

function fileStem(index: number, name: string): string {
  return `${String(index).padStart(3, "0")}_${name.replace(/[^\w.-]+/g, "_").slice(0, 60)}`;
}

/**
 * Run every selected resource of a source concurrently (transformers are fed by their parents'
 * pages), pass items through processing steps and incremental filters, and write them as raw
 * files into the package folder together with the manifest and the state after this package.
 */
export async function extractSource(opts: ExtractOptions): Promise<ExtractedManifest> {
  const { source, sourcesState } = opts;
  const srcState: SourceState = (sourcesState[source.name] ??= {});
  const resourcesState = (srcState.resources ??= {});
  const before = JSON.stringify(sourcesState);
  const abort = new AbortController();
  // Every resource, page loop and request listens on this one signal: many listeners are expected.
  setMaxListeners(0, abort.signal);
  let stemIndex = 0;

  const all = [...source.resources.values()];
  const nodes = new Map<Resource, Running>();
  const nodeFor = (r: Resource): Running => {
    let n = nodes.get(r);
    if (n) return n;
    const rState: ResourceState = (resourcesState[r.name] ??= {});
    const inc = r.hints.incremental;
    const stored = inc ? rState.incremental?.[inc.cursorPath] : undefined;
    const cursor = inc ? new IncrementalCursor(inc, r.name, stored, r.primaryKey) : undefined;
    if (cursor) {
      log.info(
        `bind incremental on ${r.name}: initial ${JSON.stringify(cursor.initialValue)}, start ${JSON.stringify(cursor.startValue)}, end ${JSON.stringify(cursor.endValue)}`,
      );
    }
    const tableName = typeof r.hints.tableName === "string" ? r.hints.tableName : r.hints.tableName ? undefined : r.name;
    n = {
      resource: r,
      cursor,
      writers: new Map(),
      children: [],
      ctx: {
        resourceName: r.name,
        sourceName: source.name,
        incremental: cursor,
        state: rState,
        sourceState: srcState,
        signal: abort.signal,
        log: logger(`resource:${r.name}`),
      },
      manifest: {
        name: r.name,
        ...(tableName !== undefined ? { tableName } : {}),
        writeDisposition: r.writeDisposition,
        ...(r.primaryKey ? { primaryKey: r.primaryKey } : {}),
        ...(r.mergeKey ? { mergeKey: r.mergeKey } : {}),
        ...(r.hints.columns ? { columns: r.hints.columns } : {}),
        ...((r.hints.maxTableNesting ?? source.options.maxTableNesting) !== undefined
          ? { maxTableNesting: r.hints.maxTableNesting ?? source.options.maxTableNesting }
          : {}),
        ...((r.hints.schemaContract ?? source.options.schemaContract) !== undefined
          ? { schemaContract: r.hints.schemaContract ?? source.options.schemaContract }
          : {}),
        items: 0,
        pages: 0,
      },
    };
    nodes.set(r, n);
    return n;
  };
  // A transformer's parent runs even when it is not part of the source (it then loads nothing).
  for (const r of all) {
    const n = nodeFor(r);
    if (r.parent) nodeFor(r.parent).children.push(n);
  }
  // A parent runs when it or any descendant is selected.
  const needs = (n: Running): boolean => n.resource.selected || n.children.some(needs);
  const roots = [...nodes.values()].filter((n) => !n.resource.parent && needs(n));

  const writeItems = (n: Running, items: Item[]) => {
    const th = n.resource.hints.tableName;
    if (typeof th === "function") {
      const groups = new Map<string, Item[]>();
      for (const it of items) {
        let t: string;
        try {
          t = th(it);
        } catch (err) {
          throw new DataError(`resource ${n.resource.name}: tableName function failed: ${(err as Error).message}`);
        }
        if (typeof t !== "string" || !t.trim()) {
          throw new DataError(`resource ${n.resource.name}: tableName function returned ${JSON.stringify(t)} for an item`, {
            hint: "return a non-empty string table name for every item",
          });
        }
        let g = groups.get(t);
        if (!g) groups.set(t, (g = []));
        g.push(it);
      }
      for (const [t, g] of groups) writerFor(n, t).write(g);
    } else {
      writerFor(n, th ?? n.resource.name).write(items);
    }
  };
  const writerFor = (n: Running, table: string): RawWriter => {
    let w = n.writers.get(table);
    if (!w) {
      w = new RawWriter(
        opts.dir,
        fileStem(stemIndex++, `${n.resource.name}.${table}`),
        n.resource.name,
        table,
        opts.maxFileBytes,
      );
      n.writers.set(table, w);
    }
    return w;
  };

  /** Steps, incremental filter, write, then feed the children. Returns false to stop paging. */
  const processPage = async (n: Running, produced: unknown): Promise<boolean> => {
    let items: unknown[] = Array.isArray(produced) ? produced : [produced];
    for (const step of n.resource.steps) {
      if (step.kind === "map") items = items.map((it) => step.fn(it as Item));
      else if (step.kind === "filter") items = items.filter((it) => step.fn(it as Item));
      else items = items.flatMap((it) => [...step.fn(it as Item)]);
    }
    if (n.cursor) {
      const c = n.cursor;
      items = items.filter((it) => (it !== null && typeof it === "object" ? c.accept(it as Item) : true));
    }
    n.manifest.pages++;
    n.manifest.items += items.length;
    if (items.length > 0 && n.resource.selected) writeItems(n, items as Item[]);
    opts.onProgress?.({ resource: n.resource.name, items: n.manifest.items, pages: n.manifest.pages, done: false });
    for (const child of n.children) {
      if (!needs(child) || items.length === 0) continue;
      await drain(child, await child.resource.transform!(items as Item[], child.ctx));
    }
    if (n.cursor?.stopRequested) return false;
    return !abort.signal.aborted;
  };

  const drain = async (n: Running, output: ResourceOutput | unknown): Promise<void> => {
    if (!isIterable(output)) {
      if (output !== undefined) await processPage(n, output);
      return;
    }
    let pages = 0;
    for await (const produced of output as AsyncIterable<unknown>) {
      if (produced === undefined) continue;
      const go = await processPage(n, produced);
      pages++;
      if (!go || (n.resource.limit !== undefined && pages >= n.resource.limit)) break;
    }
  };

  const runRoot = async (n: Running) => {
    try {
      if (!n.resource.fn) throw new DataError(`resource ${n.resource.name} has neither a function nor a parent`);
      await drain(n, await n.resource.fn(n.ctx));
    } catch (err) {
      abort.abort();
      throw err instanceof ResourceError ? err : new ResourceError(n.resource.name, err);
    }
  };

  const results = await Promise.allSettled(roots.map(runRoot));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  const files: RawFile[] = [];
  for (const n of nodes.values()) for (const w of n.writers.values()) files.push(...w.close());
  if (failed) throw failed.reason;

  for (const n of nodes.values()) {
    opts.onProgress?.({ resource: n.resource.name, items: n.manifest.items, pages: n.manifest.pages, done: true });
    if (!n.cursor || n.cursor.stateless) continue;
    const slot = resourcesState[n.resource.name]!;
    slot.incremental = { ...(slot.incremental ?? {}), [n.cursor.spec.cursorPath]: n.cursor.state() };
  }
  const stateChanged = JSON.stringify(sourcesState) !== before;
  const manifest: ExtractedManifest = {
    loadId: opts.loadId,
    pipelineName: opts.pipelineName,
    sourceName: source.name,
    schemaName: opts.schemaName,
    createdAt: new Date().toISOString(),
    resources: [...nodes.values()].filter((n) => n.resource.selected).map((n) => n.manifest),
    files,
    stateChanged,
  };
  return manifest;
}
