import type { RawFile } from "../package/format.js";
import { DataError } from "../util/errors.js";
import { RawWriter } from "./raw-writer.js";
import type { Item, Resource } from "./resource.js";

function fileStem(index: number, name: string): string {
  return `${String(index).padStart(3, "0")}_${name.replace(/[^\w.-]+/g, "_").slice(0, 60)}`;
}

/** The table an item goes to: the resource's static table name, its function's answer, or its own name. */
function tableOf(resource: Resource, item: Item): string {
  const hint = resource.hints.tableName;
  if (typeof hint !== "function") return hint ?? resource.name;
  let table: unknown;
  try {
    table = hint(item);
  } catch (err) {
    throw new DataError(`resource ${resource.name}: tableName function failed: ${(err as Error).message}`);
  }
  if (typeof table !== "string" || !table.trim()) {
    throw new DataError(`resource ${resource.name}: tableName function returned ${JSON.stringify(table)} for an item`, {
      hint: "return a non-empty string table name for every item",
    });
  }
  return table;
}

/**
 * Routes the items of each resource to one raw writer per (resource, table): a resource with a
 * `tableName` function may fill several tables. File names are numbered in the order the
 * tables first appear, so a package lists its files deterministically.
 */
export class TableRouter {
  private stemIndex = 0;
  private readonly writers = new Map<Resource, Map<string, RawWriter>>();

  constructor(
    private readonly packageDir: string,
    private readonly maxFileBytes?: number,
  ) {}

  /**
   * `pageUrl`: the (redacted) URL the page came from, when the resource said. `plain`: the items
   * are plain JSON values (extract/plain-page.ts); a table name function sees every item before
   * it is written, so with one the writer checks them itself.
   */
  write(resource: Resource, items: Item[], pageUrl?: string, plain = false): void {
    if (typeof resource.hints.tableName !== "function") {
      this.writerFor(resource, tableOf(resource, items[0] as Item)).write(items, pageUrl, plain);
      return;
    }
    const groups = new Map<string, Item[]>();
    for (const item of items) {
      const table = tableOf(resource, item);
      let group = groups.get(table);
      if (!group) groups.set(table, (group = []));
      group.push(item);
    }
    for (const [table, group] of groups) this.writerFor(resource, table).write(group, pageUrl);
  }

  private writerFor(resource: Resource, table: string): RawWriter {
    let byTable = this.writers.get(resource);
    if (!byTable) {
      byTable = new Map<string, RawWriter>();
      this.writers.set(resource, byTable);
    }
    let w = byTable.get(table);
    if (!w) {
      const stem = fileStem(this.stemIndex++, `${resource.name}.${table}`);
      w = new RawWriter(this.packageDir, stem, resource.name, table, this.maxFileBytes);
      byTable.set(table, w);
    }
    return w;
  }

  /** Close every writer; the raw files of each resource, in the order they were opened. */
  close(): Map<Resource, RawFile[]> {
    const out = new Map<Resource, RawFile[]>();
    for (const [resource, byTable] of this.writers)
      out.set(
        resource,
        [...byTable.values()].flatMap((w) => w.close()),
      );
    return out;
  }
}
