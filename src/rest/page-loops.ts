import { setMaxListeners } from "node:events";
import { orderedParallel } from "../http/index.js";
import { DataError, PipelineError } from "../util/errors.js";
import { PageFault } from "./page-fault.js";
import { describeRequest, type FetchedPage, type PageFetcher } from "./page-fetcher.js";
import { type PageRequest, type Paginator, requestSignature } from "./paginators/types.js";

/**
 * What a page taken last is compared with: its length and its first and last items as JSON,
 * snapshotted when it was taken (a resource's map steps may change the items in place later).
 */
interface TakenPage {
  page: FetchedPage;
  length: number;
  first: string;
  last: string;
}

function taken(page: FetchedPage): TakenPage | undefined {
  const n = page.items.length;
  if (n === 0) return undefined;
  return { page, length: n, first: JSON.stringify(page.items[0]), last: JSON.stringify(page.items[n - 1]) };
}

export interface LoopContext {
  fetcher: PageFetcher;
  paginator: Paginator;
  /** The protocol's signals are the truth: a repeat or a loop is a fault, not the end. */
  strict: boolean;
  /** Yield pages without items too. */
  emptyPages: boolean;
  label: string;
  once: (level: "warn" | "info", key: string, message: string) => void;
  /** True when paging must stop now (an incremental past its range, the run aborted). */
  stopped: () => boolean;
  signal: AbortSignal;
}

/**
 * The pages of one run in the order they count, with the guards against APIs that never end:
 * a page identical to the previous one (Sage answers past-the-end requests with the last page)
 * and a next request that was already made. Lenient runs stop there with a warning; strict
 * runs fetch a repeated page again and fail on a loop, because their protocol said there was
 * more.
 */
export class PageSequence {
  private previous: TakenPage | undefined;
  private readonly seen = new Set<string>();

  constructor(private readonly c: LoopContext) {}

  /** Throws PageFault when `page` repeats the previous page on a strict run (so it is fetched again). */
  readonly check = (page: FetchedPage): void => {
    if (this.c.strict && this.repeats(page)) throw new PageFault("it repeats the previous page item for item");
  };

  /**
   * Item for item the previous page? Pages that differ (all but a repeat) differ in length or in
   * their first or last item, so only a likely repeat is compared whole, against the previous
   * page's items parsed again from its response (pristine). Serializing and hashing every page
   * instead cost a tenth of extract's CPU.
   */
  private repeats(page: FetchedPage): boolean {
    const prev = this.previous;
    const n = page.items.length;
    if (!prev || n !== prev.length) return false;
    if (JSON.stringify(page.items[0]) !== prev.first || JSON.stringify(page.items[n - 1]) !== prev.last) return false;
    return JSON.stringify(page.items) === JSON.stringify(this.c.fetcher.pristineItems(prev.page));
  }

  /** Count the page (paginator update); false: a lenient run stops here because it repeats. */
  take(page: FetchedPage): boolean {
    if (this.repeats(page)) {
      this.c.once(
        "warn",
        "repeat",
        `${this.c.label}: the page from ${describeRequest(page.request)} is identical to the previous page, so paging stops here (${this.c.paginator.describe()}). APIs such as Sage return the last page again past the end; a totalPath/totalItemsPath or hasMorePath makes the stop explicit`,
      );
      return false;
    }
    try {
      this.c.paginator.update(page.response, page.items);
    } catch (err) {
      if (err instanceof PipelineError) throw new DataError(`${this.c.label}: ${err.message}`, { hint: err.hint, cause: err });
      throw err;
    }
    this.previous = taken(page);
    this.seen.add(requestSignature(page.request));
    return true;
  }

  /** False when `request` was made already: a lenient run stops with a warning, a strict one fails. */
  isNew(request: PageRequest): boolean {
    if (!this.seen.has(requestSignature(request))) return true;
    const message = `${this.c.paginator.describe()} asked again for ${describeRequest(request)}, which was already fetched`;
    if (this.c.strict) {
      throw new DataError(
        `${this.c.label}: ${message}: the API is going round in circles, so the list cannot be read completely`,
        {
          hint: "run again later; if it persists, report the request above to the API's support",
        },
      );
    }
    this.c.once(
      "warn",
      "loop",
      `${this.c.label}: ${message}, so paging stops here to avoid an endless loop; check the paginator settings`,
    );
    return false;
  }
}

/** Follow the protocol one page at a time from `request` until it says there is no next page. */
export async function* sequentialPages(
  c: LoopContext,
  seq: PageSequence,
  request: PageRequest | undefined,
): AsyncGenerator<FetchedPage> {
  let next = request;
  while (next && !c.stopped()) {
    if (!seq.isNew(next)) return;
    const page = await c.fetcher.fetchChecked(next, c.paginator, seq.check);
    if (!page || !seq.take(page)) return;
    if (page.items.length > 0 || c.emptyPages) yield page;
    next = c.stopped() ? undefined : c.paginator.next(page.request);
  }
}

/**
 * The pages `paginator.remaining` planned after the first one (from a total the API reported),
 * fetched `window` at a time and taken in order, each only while the protocol agrees: after each
 * page, `next` must name the planned one that follows. When `next` ends early the pages planned
 * past it are dropped (a total too large); when it names another page, or the plan runs out while
 * it still names one (a total too small), the window is left and the returned request is where
 * the sequential loop goes on. Returns undefined when the list ended.
 */
export async function* parallelWindow(
  c: LoopContext,
  seq: PageSequence,
  first: FetchedPage,
  planned: Iterable<PageRequest>,
  window: number,
): AsyncGenerator<FetchedPage, PageRequest | undefined> {
  const stopAhead = new AbortController();
  const signal = AbortSignal.any([c.signal, stopAhead.signal]);
  // Every page of the window waits on it at once (more than Node's default of 10 listeners).
  setMaxListeners(0, signal);
  const tasks = (function* () {
    for (const r of planned) yield () => c.fetcher.fetchChecked(r, c.paginator, undefined, signal);
  })();
  const matches = (wanted: PageRequest, ahead: PageRequest) =>
    c.paginator.matches ? c.paginator.matches(wanted, ahead) : requestSignature(wanted) === requestSignature(ahead);
  let last = first;
  try {
    for await (const fetched of orderedParallel(tasks, window)) {
      const wanted = c.paginator.next(last.request);
      if (!wanted || !fetched) return undefined;
      if (!matches(wanted, fetched.request)) return wanted;
      let page = fetched;
      try {
        seq.check(page);
      } catch (err) {
        if (!(err instanceof PageFault)) throw err;
        const again = await c.fetcher.fetchChecked(page.request, c.paginator, seq.check);
        if (!again) return undefined;
        page = again;
      }
      if (!seq.take(page)) return undefined;
      if (page.items.length > 0 || c.emptyPages) yield page;
      if (c.stopped()) return undefined;
      last = page;
    }
    return c.paginator.next(last.request);
  } finally {
    // Pages fetched ahead that will not be taken: stop them (the run's own signal stays as it is).
    stopAhead.abort();
  }
}
