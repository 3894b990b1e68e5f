import type { HttpResponse } from "./response.js";

export type QueryScalar = string | number | boolean;
/** `null`/`undefined` leave the parameter out; arrays repeat it (`?id=1&id=2`). */
export type QueryValue = QueryScalar | null | undefined | readonly QueryScalar[];

/** A request as the auth layer sees it just before sending: it may add headers or query params. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
}

/**
 * Credentials for requests. `apply` runs before every attempt (a refreshed token is picked up by
 * the next retry); `onUnauthorized` runs once per request after a 401 and returns true when it
 * got new credentials worth one more try.
 */
export interface RequestAuth {
  apply(request: OutgoingRequest, client: HttpRequester): void | Promise<void>;
  onUnauthorized?(request: OutgoingRequest, client: HttpRequester): Promise<boolean>;
}

/** What a response hook may answer: nothing (carry on), "ignore" (yield nothing), or a replacement. */
export type ResponseVerdict = undefined | "ignore" | HttpResponse;

export interface HttpRequestInit {
  method?: string;
  /** Absolute URL; `params` are set on its query string (replacing same-named ones). */
  url: string;
  params?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** A JSON body; mutually exclusive with `data`. */
  json?: unknown;
  /** A form (object → x-www-form-urlencoded), a string or bytes. */
  data?: string | Uint8Array | URLSearchParams | Record<string, QueryScalar>;
  auth?: RequestAuth;
  signal?: AbortSignal;
  /** Who is asking (`resource contacts`), for messages. */
  label?: string;
  /** Seen after each attempt, before retry rules: `responseActions` live here. */
  onResponse?: (response: HttpResponse) => ResponseVerdict | Promise<ResponseVerdict>;
  /** Return non-2xx responses (after retries) instead of throwing. Default false. */
  returnErrors?: boolean;
}

/** The part of the client that auth implementations use to call token endpoints. */
export interface HttpRequester {
  request(init: HttpRequestInit): Promise<HttpResponse>;
}

/** The URL with `params` applied. */
export function buildUrl(url: string, params?: Record<string, QueryValue>): URL {
  const u = new URL(url);
  if (!params) return u;
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) {
      u.searchParams.delete(k);
      for (const item of v as readonly QueryScalar[]) u.searchParams.append(k, String(item));
    } else {
      u.searchParams.set(k, String(v));
    }
  }
  return u;
}

/** Body bytes and the content type they imply (unless the caller set one). */
export function encodeBody(init: HttpRequestInit): { body: string | Uint8Array | undefined; contentType: string | undefined } {
  if (init.json !== undefined && init.data !== undefined) {
    throw new TypeError("a request takes json or data, not both");
  }
  if (init.json !== undefined) return { body: JSON.stringify(init.json), contentType: "application/json" };
  const d = init.data;
  if (d === undefined) return { body: undefined, contentType: undefined };
  if (typeof d === "string") return { body: d, contentType: undefined };
  if (d instanceof Uint8Array) return { body: d, contentType: undefined };
  const form =
    d instanceof URLSearchParams ? d : new URLSearchParams(Object.entries(d).map(([k, v]): [string, string] => [k, String(v)]));
  return { body: form.toString(), contentType: "application/x-www-form-urlencoded" };
}

/** Case-insensitive header lookup on a plain record. */
export function hasHeader(headers: Record<string, string>, name: string): boolean {
  const n = name.toLowerCase();
  return Object.keys(headers).some((k) => k.toLowerCase() === n);
}
