import type { Sandbox } from "../../src/sandbox/index.js";

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export type Rec = Record<string, unknown>;

export interface Envelope {
  $total: number;
  $page: number;
  $next: string | null;
  $back: string | null;
  $itemsPerPage: number;
  $items: Rec[];
}

/** GET a v3.1 path (relative to the API base, like `$next`) with a bearer token. */
export async function api<T = unknown>(
  sb: Sandbox,
  path: string,
  options: { token?: string | null; business?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? sb.issueTokens().access_token}`;
  if (options.business) headers["x-business"] = options.business;
  const res = await fetch(`${sb.apiBaseUrl}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Follow `$next` until it is null; returns every item and the pages seen. */
export async function fetchAll(
  sb: Sandbox,
  path: string,
  token: string,
  business?: string,
): Promise<{ items: Rec[]; pages: Envelope[] }> {
  const items: Rec[] = [];
  const pages: Envelope[] = [];
  let next: string | null = path;
  while (next !== null) {
    const res: ApiResponse<Envelope> = await api<Envelope>(sb, next, { token, ...(business ? { business } : {}) });
    if (res.status !== 200) throw new Error(`GET ${next} answered ${res.status}: ${JSON.stringify(res.body)}`);
    pages.push(res.body);
    items.push(...res.body.$items);
    next = res.body.$next;
    if (pages.length > 10_000) throw new Error("paging does not end");
  }
  return { items, pages };
}

/** Sum of a money-string field in cents, exactly. */
export function cents(value: unknown): number {
  if (typeof value !== "string" || !/^-?\d+\.\d{2}$/.test(value))
    throw new Error(`not a 2-decimal money string: ${String(value)}`);
  const negative = value.startsWith("-");
  const [units = "0", frac = "0"] = value.replace("-", "").split(".");
  const abs = Number(units) * 100 + Number(frac);
  return negative ? -abs : abs;
}
