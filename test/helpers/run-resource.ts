import {
  type IncompletePart,
  IncrementalCursor,
  type IncrementalState,
  type Item,
  type KeySetReport,
  type SkippedPart,
  type Resource,
  type ResourceContext,
} from "../../src/extract/index.js";
import { logger, type Logger } from "../../src/util/logger.js";

/**
 * Runs resources the way the engine (src/extract/extractor.ts) does, without the engine: binds an
 * IncrementalCursor when a resource declares one, applies map/filter/yieldMap steps and then the
 * incremental filter, honours `addLimit`, and feeds each processed parent page to its
 * transformers. For tests of sources only.
 */

export interface RunOptions {
  sourceName?: string;
  /** Stored incremental state per resource name (what a previous run left). */
  incrementalState?: Record<string, IncrementalState>;
  signal?: AbortSignal;
  log?: Logger;
}

export interface RunResult {
  /** Pages each resource yielded, after incremental filtering and steps (empty pages dropped). */
  pages: Map<string, unknown[][]>;
  /** All items per resource. */
  items: Map<string, unknown[]>;
  cursors: Map<string, IncrementalCursor>;
  /** Parts each resource reported as not read completely. */
  incomplete: Map<string, IncompletePart[]>;
  keySets: Map<string, KeySetReport[]>;
  /** Parts each resource left out on purpose (403/404/no subscription). */
  skipped: Map<string, SkippedPart[]>;
}

function applySteps(resource: Resource, page: unknown[]): unknown[] {
  let out = page;
  for (const step of resource.steps) {
    const next: unknown[] = [];
    for (const item of out) {
      if (step.kind === "map") next.push(step.fn(item as Item));
      else if (step.kind === "filter") {
        if (step.fn(item as Item)) next.push(item);
      } else next.push(...step.fn(item as Item));
    }
    out = next;
  }
  return out;
}

function toPage(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

class Runner {
  readonly result: RunResult = {
    pages: new Map(),
    items: new Map(),
    cursors: new Map(),
    incomplete: new Map(),
    keySets: new Map(),
    skipped: new Map(),
  };
  private readonly done = new Map<Resource, Promise<unknown[][]>>();
  private readonly controller = new AbortController();

  constructor(private readonly o: RunOptions) {
    o.signal?.addEventListener(
      "abort",
      () => {
        this.controller.abort(o.signal?.reason);
      },
      { once: true },
    );
  }

  private context(r: Resource): ResourceContext {
    let cursor: IncrementalCursor | undefined;
    if (r.hints.incremental) {
      cursor = new IncrementalCursor(r.hints.incremental, r.name, this.o.incrementalState?.[r.name], r.primaryKey);
      this.result.cursors.set(r.name, cursor);
    }
    return {
      resourceName: r.name,
      sourceName: this.o.sourceName ?? "test",
      incremental: cursor,
      state: {},
      sourceState: {},
      signal: this.controller.signal,
      log: this.o.log ?? logger(`extract:${r.name}`),
      reportIncomplete: (part) => {
        const parts = this.result.incomplete.get(r.name) ?? [];
        parts.push(part);
        this.result.incomplete.set(r.name, parts);
      },
      reportKeySet: (set) => {
        const sets = this.result.keySets.get(r.name) ?? [];
        sets.push(set);
        this.result.keySets.set(r.name, sets);
      },
      reportSkipped: (part) => {
        const parts = this.result.skipped.get(r.name) ?? [];
        parts.push(part);
        this.result.skipped.set(r.name, parts);
      },
    };
  }

  /** As the extractor does it: processing steps first, then the incremental filter. */
  private filter(r: Resource, ctx: ResourceContext, page: unknown[]): unknown[] {
    const stepped = applySteps(r, page);
    const cursor = ctx.incremental;
    return cursor
      ? stepped.filter((i) => (i !== null && typeof i === "object" ? cursor.accept(i as Record<string, unknown>) : true))
      : stepped;
  }

  run(r: Resource): Promise<unknown[][]> {
    let p = this.done.get(r);
    if (!p) {
      p = this.execute(r);
      this.done.set(r, p);
    }
    return p;
  }

  private async execute(r: Resource): Promise<unknown[][]> {
    const ctx = this.context(r);
    const pages: unknown[][] = [];
    const take = async (output: Iterable<unknown> | AsyncIterable<unknown>): Promise<boolean> => {
      for await (const raw of output as AsyncIterable<unknown>) {
        const page = this.filter(r, ctx, toPage(raw));
        if (page.length > 0) pages.push(page);
        if (r.limit !== undefined && pages.length >= r.limit) return false;
        if (ctx.incremental?.stopRequested) return false;
      }
      return true;
    };
    if (r.fn) {
      await take(await r.fn(ctx));
    } else if (r.transform && r.parent) {
      for (const parentPage of await this.run(r.parent)) {
        if (!(await take(await r.transform(parentPage as Item[], ctx)))) break;
      }
    }
    this.result.pages.set(r.name, pages);
    this.result.items.set(r.name, pages.flat());
    return pages;
  }
}

/** Run several resources (parents evaluated once, however many children they feed). */
export async function runResources(resources: Iterable<Resource>, options: RunOptions = {}): Promise<RunResult> {
  const runner = new Runner(options);
  for (const r of resources) await runner.run(r);
  return runner.result;
}

/** Run one resource (and its parent chain); returns its pages and items. */
export async function runResource(
  resource: Resource,
  options: RunOptions = {},
): Promise<{ pages: unknown[][]; items: unknown[]; cursor: IncrementalCursor | undefined; all: RunResult }> {
  const all = await runResources([resource], options);
  const pages = all.pages.get(resource.name) ?? [];
  return { pages, items: pages.flat(), cursor: all.cursors.get(resource.name), all };
}
