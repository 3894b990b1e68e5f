import type { HttpResponse } from "../../http/index.js";
import { findFirst, setPath } from "../../util/json-path.js";
import { readHasMore } from "./has-more.js";
import { cloneRequest, describeOptions, type PageRequest, type Paginator } from "./types.js";

export interface CursorPaginatorOptions {
  cursorPath?: string;
  cursorParam?: string;
  cursorBodyPath?: string;
  stopAfterEmptyPage?: boolean;
  hasMorePath?: string;
}

/**
 * `cursor`: the body holds a cursor (`cursorPath`, default `cursors.next`) sent back as a query
 * param (`cursorParam`, default `cursor`) or at `cursorBodyPath` in the JSON body (POST search
 * APIs). Falsy cursors (null, "", 0) end the run, as in dlt; `hasMorePath`, when set, decides.
 */
export class CursorPaginator implements Paginator {
  readonly type = "cursor";
  readonly cursorPath: string;
  readonly cursorParam: string | undefined;
  readonly cursorBodyPath: string | undefined;
  readonly stopAfterEmptyPage: boolean;
  readonly hasMorePath: string | undefined;
  private cursor: unknown;
  private more = true;

  constructor(options: CursorPaginatorOptions = {}) {
    this.cursorPath = options.cursorPath ?? "cursors.next";
    this.cursorBodyPath = options.cursorBodyPath;
    this.cursorParam = options.cursorParam ?? (options.cursorBodyPath ? undefined : "cursor");
    this.stopAfterEmptyPage = options.stopAfterEmptyPage ?? false;
    this.hasMorePath = options.hasMorePath;
  }

  init(): void {
    this.cursor = undefined;
    this.more = true;
  }

  update(response: HttpResponse, items: unknown[]): void {
    if (this.stopAfterEmptyPage && items.length === 0) {
      this.more = false;
      return;
    }
    const body = response.json();
    this.cursor = findFirst(body, this.cursorPath);
    this.more = this.hasMorePath
      ? readHasMore(body, this.hasMorePath, this.describe()) && Boolean(this.cursor)
      : Boolean(this.cursor);
  }

  next(request: PageRequest): PageRequest | undefined {
    if (!this.more) return undefined;
    const out = cloneRequest(request);
    if (this.cursorParam) out.params[this.cursorParam] = this.cursor as string;
    if (this.cursorBodyPath) {
      const body =
        out.json !== null && typeof out.json === "object" && !Array.isArray(out.json)
          ? (out.json as Record<string, unknown>)
          : {};
      setPath(body, this.cursorBodyPath, this.cursor);
      out.json = body;
    }
    return out;
  }

  describe(): string {
    return describeOptions(this.type, {
      cursorPath: this.cursorPath,
      cursorParam: this.cursorParam,
      cursorBodyPath: this.cursorBodyPath,
      stopAfterEmptyPage: this.stopAfterEmptyPage || undefined,
      hasMorePath: this.hasMorePath,
    });
  }
}
