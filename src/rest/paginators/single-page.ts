import type { Paginator } from "./types.js";

/** `single_page`: one request, no more. */
export class SinglePagePaginator implements Paginator {
  readonly type = "single_page";
  init(): void {}
  update(): void {}
  next(): undefined {
    return undefined;
  }
  describe(): string {
    return "single_page";
  }
}
