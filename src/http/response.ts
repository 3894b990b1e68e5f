import { bodyExcerpt, type HttpErrorDetails, ResponseFormatError } from "./errors.js";
import { isPlainJsonText } from "../util/typed-json.js";
import { parseJsonBodyNoting } from "./json-body.js";

/**
 * A fully read response. The body is read inside the retry loop, so a connection cut mid-body
 * is retried like any other network error, and everything after that works on memory.
 */
export class HttpResponse {
  private parsed: { value: unknown; native: boolean } | undefined;
  /** Secret values the request carried, kept out of error excerpts; private so inspect() never shows them. */
  #requestSecrets: readonly string[] = [];
  /** Set when a response action said `ignore`: the caller yields nothing for this request. */
  ignored = false;

  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    /** The final URL (after redirects); may hold secrets, so never log it raw: use `redactUrl`. */
    readonly url: string,
    readonly text: string,
    /** Method and redacted URL of the request, for error messages. */
    readonly request: { method: string; url: string; label?: string },
  ) {}

  /** Set by the client: what the request sent under secret names (an API may echo it in an error). */
  setRequestSecrets(values: readonly string[]): void {
    this.#requestSecrets = values;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The body as JSON; an empty body is `null`. Anything else fails with ResponseFormatError. */
  json(): unknown {
    const error = this.formatError();
    if (error) throw error;
    return (this.parsed as { value: unknown }).value;
  }

  /**
   * True when json() gives plain JSON values (util/typed-json.ts, isPlainJsonText), known from
   * the parse json() made and the text, so the values need no walk to tell.
   */
  plainJson(): boolean {
    this.json();
    return isPlainJsonText(this.text, this.parsed!.native);
  }

  /**
   * Parses the body (once; json() then returns the same value) and returns the error that says
   * it is not JSON, or undefined when it is. `details` are the request's, e.g. with its attempts.
   */
  formatError(details: HttpErrorDetails = this.request): ResponseFormatError | undefined {
    if (this.parsed) return undefined;
    try {
      this.parsed = parseJsonBodyNoting(this.text);
      return undefined;
    } catch (err) {
      const type = this.headers.get("content-type") ?? "no content-type";
      const attempts = details.attempts !== undefined && details.attempts > 1 ? ` (after ${details.attempts} attempts)` : "";
      return new ResponseFormatError(
        { ...details, status: this.status, bodyExcerpt: bodyExcerpt(this.text, type, this.#requestSecrets) },
        `returned ${this.status} with a body that is not JSON (${type}, ${this.text.length} bytes)${attempts}: ${(err as Error).message}`,
        {
          cause: err,
          hint: "an HTML page or a body cut short is a proxy or server in trouble and was retried; if it persists, check that the path points at the JSON API and not a web page, and that the Accept header asks for application/json",
        },
      );
    }
  }

  /** RFC 8288 `Link` header as rel → URL (`rel="next last"` yields both). */
  links(): Record<string, string> {
    return parseLinkHeader(this.headers.get("link"));
  }
}

export function parseLinkHeader(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  // Split on commas that start a new `<...>` entry; URLs themselves may contain commas.
  for (const part of header.split(/,\s*(?=<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    const url = m[1] as string;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(m[2] as string);
    const rels = (rel?.[1] ?? rel?.[2] ?? "").split(/\s+/).filter(Boolean);
    for (const r of rels) if (!(r.toLowerCase() in out)) out[r.toLowerCase()] = url;
  }
  return out;
}
