import type { HttpResponse } from "../../http/index.js";
import { NextUrlPaginator } from "./json-link.js";
import { describeOptions } from "./types.js";

/** `header_link`: the RFC 8288 `Link` header's `rel="next"` (GitHub style). */
export class HeaderLinkPaginator extends NextUrlPaginator {
  readonly type = "header_link";
  readonly linksNextKey: string;

  constructor(options: { linksNextKey?: string } = {}) {
    super();
    this.linksNextKey = options.linksNextKey ?? "next";
  }

  update(response: HttpResponse): void {
    this.nextLink = response.links()[this.linksNextKey.toLowerCase()];
  }

  describe(): string {
    return describeOptions(this.type, { linksNextKey: this.linksNextKey });
  }
}
