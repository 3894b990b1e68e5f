import { setMaxListeners } from "node:events";
import type { ExtractedManifest } from "../package/format.js";
import { ConfigError, DataError, PipelineError } from "../util/errors.js";
import { logger } from "../util/logger.js";
import { reasonText } from "./completeness.js";
import { extractedManifest, settleResources } from "./manifest.js";
import { type ExtractProgress, PageProcessor } from "./page-processing.js";
import { buildResourceGraph, type ResourceNode, type SourceState } from "./resource-graph.js";
import type { Source } from "./source.js";
import { inResourceScope } from "./request-scope.js";
import { TableRouter } from "./table-routing.js";

export type { ExtractProgress } from "./page-processing.js";
export type { ResourceState, SourceState } from "./resource-graph.js";

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
  /** Stops the extract (SIGINT/SIGTERM): every resource stops and extractSource rejects with the reason. */
  signal?: AbortSignal | undefined;
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

/**
 * A failure no resource can work around (the credentials, the list of what to read): the whole
 * extract stops and nothing of it is committed. Sources throw it (or a ConfigError) for such
 * cases; any other error fails only the resource that threw it.
 */
export class SourceError extends PipelineError {
  /** `err` as a SourceError with the same message and hint (and `err` as its cause). */
  static from(err: unknown): SourceError {
    if (err instanceof SourceError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new SourceError(message, { cause: err, hint: err instanceof PipelineError ? err.hint : undefined });
  }
}

/**
 * Run every selected resource of a source concurrently (transformers are fed by their parents'
 * pages), pass items through processing steps and incremental filters, and write them as raw
 * files into the package folder; then settle each resource (state, rows, manifest entry) and
 * return the manifest. A resource that fails does not stop the others: it is listed in
 * `manifest.incomplete`, its cursor stays, and its rows follow the rules of `completeness.ts`.
 */
export async function extractSource(opts: ExtractOptions): Promise<ExtractedManifest> {
  const { source, sourcesState } = opts;
  const sourceState: SourceState = (sourcesState[source.name] ??= {});
  const before = JSON.stringify(sourcesState);
  const abort = new AbortController();
  // Every resource, page loop and request listens on this one signal: many listeners are expected.
  setMaxListeners(0, abort.signal);
  const stop = opts.signal;
  const onStop = () => {
    abort.abort(stop?.reason);
  };
  if (stop?.aborted) onStop();
  else stop?.addEventListener("abort", onStop, { once: true });

  const graph = buildResourceGraph(source, sourceState, abort.signal);
  const router = new TableRouter(opts.dir, opts.maxFileBytes);
  const isFatal = (err: unknown) => abort.signal.aborted || err instanceof ConfigError || err instanceof SourceError;
  const onFailure = (n: ResourceNode, err: unknown) => {
    if (n.resource.selected) log.error(`resource ${n.resource.name} failed, the other resources go on: ${reasonText(err)}`);
  };
  const pages = new PageProcessor(router, abort.signal, isFatal, onFailure, opts.onProgress);

  const runRoot = async (n: ResourceNode) => {
    try {
      if (!n.resource.fn) throw new DataError(`resource ${n.resource.name} has neither a function nor a parent`);
      const fn = n.resource.fn;
      // Every request the resource's code sends from here on is counted for it (see request-scope.ts).
      await inResourceScope(n.resource.name, async () => pages.drain(n, await fn(n.ctx)));
    } catch (err) {
      if (!isFatal(err)) {
        pages.markFailed(n, err);
        return;
      }
      abort.abort();
      throw err instanceof ResourceError || err instanceof SourceError || err instanceof ConfigError
        ? err
        : new ResourceError(n.resource.name, err);
    }
  };

  const results = await Promise.allSettled(graph.roots.map(runRoot));
  stop?.removeEventListener("abort", onStop);
  const filesByResource = router.close();
  // Stopped from outside: resources that saw the signal ended early without an error.
  if (stop?.aborted) throw stop.reason;
  const fatal = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (fatal) throw fatal.reason;

  const outcome = settleResources(graph.nodes, filesByResource, sourceState.resources ?? {}, opts.dir);
  for (const n of graph.nodes) {
    opts.onProgress?.({ resource: n.resource.name, items: n.manifest.items, pages: n.manifest.pages, done: true });
  }
  const header = { loadId: opts.loadId, pipelineName: opts.pipelineName, sourceName: source.name, schemaName: opts.schemaName };
  return extractedManifest(header, outcome, JSON.stringify(sourcesState) !== before);
}
