import type { Item } from "./resource.js";
import { pageUrlOf } from "./page-url.js";
import { isPlainJsonPage } from "./plain-page.js";
import { descendants, isNeeded, type ResourceNode } from "./resource-graph.js";
import type { TableRouter } from "./table-routing.js";
import { inResourceScope } from "./request-scope.js";

export interface ExtractProgress {
  resource: string;
  items: number;
  pages: number;
  done: boolean;
}

function isIterable(v: unknown): v is Iterable<unknown> | AsyncIterable<unknown> {
  return v !== null && typeof v === "object" && (Symbol.asyncIterator in v || Symbol.iterator in v);
}

/**
 * What happens to each page a resource produces: processing steps, the incremental filter,
 * counting, writing (selected resources only), then feeding the page to the transformers. A
 * transformer that throws is marked failed (with everything it feeds) and fed no more pages,
 * while its parent goes on; `isFatal` errors stop everything instead.
 */
export class PageProcessor {
  constructor(
    private readonly router: TableRouter,
    private readonly signal: AbortSignal,
    private readonly isFatal: (err: unknown) => boolean,
    private readonly onFailure: (node: ResourceNode, err: unknown) => void,
    private readonly onProgress?: (p: ExtractProgress) => void,
  ) {}

  /** Everything `output` yields, page by page, until it ends, a limit is reached or the run stops. */
  /** `output` is what the resource returned: pages to iterate, or one page (or item) as is. */
  async drain(node: ResourceNode, output: unknown): Promise<void> {
    if (!isIterable(output)) {
      if (output !== undefined) await this.processPage(node, output);
      return;
    }
    let pages = 0;
    for await (const produced of output as AsyncIterable<unknown>) {
      if (produced === undefined) continue;
      const go = await this.processPage(node, produced);
      pages++;
      if (!go || (node.resource.limit !== undefined && pages >= node.resource.limit)) break;
    }
  }

  /** One page; false means stop paging (the incremental is past its range, or the run stops). */
  private async processPage(node: ResourceNode, produced: unknown): Promise<boolean> {
    // Read before the steps: map and filter make new arrays without the tags. A step may also
    // change the items in place, so the plain tag holds only without steps (the cursor filters,
    // it never changes an item).
    const pageUrl = pageUrlOf(produced);
    const plain = node.resource.steps.length === 0 && isPlainJsonPage(produced);
    let items: unknown[] = Array.isArray(produced) ? produced : [produced];
    for (const step of node.resource.steps) {
      if (step.kind === "map") items = items.map((it) => step.fn(it as Item));
      else if (step.kind === "filter") items = items.filter((it) => step.fn(it as Item));
      else items = items.flatMap((it) => [...step.fn(it as Item)]);
    }
    const cursor = node.cursor;
    if (cursor) items = items.filter((it) => (it !== null && typeof it === "object" ? cursor.accept(it as Item) : true));
    node.manifest.pages++;
    node.manifest.items += items.length;
    if (items.length > 0 && node.resource.selected) this.router.write(node.resource, items as Item[], pageUrl, plain);
    this.onProgress?.({ resource: node.resource.name, items: node.manifest.items, pages: node.manifest.pages, done: false });
    if (items.length > 0) await this.feedChildren(node, items as Item[]);
    if (cursor?.stopRequested) return false;
    return !this.signal.aborted;
  }

  private async feedChildren(node: ResourceNode, items: Item[]): Promise<void> {
    for (const child of node.children) {
      if (child.failure !== undefined || !isNeeded(child)) continue;
      try {
        const transform = child.resource.transform;
        if (!transform) continue;
        // The transformer's requests count for it, not for the parent that fed it.
        await inResourceScope(child.resource.name, async () => this.drain(child, await transform(items, child.ctx)));
      } catch (err) {
        if (this.isFatal(err)) throw err;
        this.markFailed(child, err);
      }
    }
  }

  /** The node stopped with `err`; the transformers below it saw only part of its data. */
  markFailed(node: ResourceNode, err: unknown): void {
    node.failure = err;
    this.onFailure(node, err);
    for (const d of descendants(node)) {
      if (d.failure !== undefined) continue;
      d.failure = new Error(`its parent resource ${node.resource.name} failed`, { cause: err });
      this.onFailure(d, d.failure);
    }
  }
}
