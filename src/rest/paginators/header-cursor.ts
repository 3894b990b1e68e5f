import type { HttpResponse } from "../../http/index.js";
import { cloneRequest, describeOptions, type PageRequest, type Paginator } from "./types.js";

/** `header_cursor`: a response header (`cursorKey`) holds the cursor, sent back as `cursorParam`. */
export class HeaderCursorPaginator implements Paginator {
  readonly type = "header_cursor";
  readonly cursorKey: string;
  readonly cursorParam: string;
  private cursor: string | undefined;

  constructor(options: { cursorKey?: string; cursorParam?: string } = {}) {
    this.cursorKey = options.cursorKey ?? "next";
    this.cursorParam = options.cursorParam ?? "cursor";
  }

  init(): void {
    this.cursor = undefined;
  }

  update(response: HttpResponse): void {
    const v = response.headers.get(this.cursorKey);
    this.cursor = v === null || v.trim() === "" ? undefined : v;
  }

  next(request: PageRequest): PageRequest | undefined {
    if (this.cursor === undefined) return undefined;
    const out = cloneRequest(request);
    out.params[this.cursorParam] = this.cursor;
    return out;
  }

  describe(): string {
    return describeOptions(this.type, { cursorKey: this.cursorKey, cursorParam: this.cursorParam });
  }
}
