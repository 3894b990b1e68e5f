import type { RestClient } from "../rest/index.js";
import { ConfigError } from "../util/errors.js";
import { SagePaginator } from "./paginator.js";

export interface Business {
  id: string;
  name: string;
}

/**
 * The businesses the user can see (`GET /businesses`, core endpoint, no X-Business), narrowed to
 * `wanted` ids when configured. Also returns the server's clock (the Date header), which the
 * incremental windows use so that a skewed local clock can never skip changes.
 */
export async function listBusinesses(
  client: RestClient,
  wanted: string[] | undefined,
  signal: AbortSignal,
): Promise<{ businesses: Business[]; serverNow: Date }> {
  const all: Business[] = [];
  let serverNow: Date | undefined;
  for await (const page of client.paginate("businesses", {
    paginator: new SagePaginator(200),
    dataSelector: "['$items']",
    signal,
    label: "Sage business list",
  })) {
    const date = page.response.headers.get("date");
    if (!serverNow && date && !Number.isNaN(Date.parse(date))) serverNow = new Date(date);
    for (const item of page.items as Array<Record<string, unknown>>) {
      all.push({ id: String(item.id), name: String(item.displayed_as ?? item.name ?? item.id) });
    }
  }
  if (!wanted || wanted.length === 0) return { businesses: all, serverNow: serverNow ?? new Date() };
  const unknown = wanted.filter((w) => !all.some((b) => b.id === w));
  if (unknown.length > 0) {
    throw new ConfigError(`unknown Sage business id(s): ${unknown.join(", ")}`, {
      hint: `this login can see: ${all.map((b) => `${b.id} (${b.name})`).join(", ") || "no businesses"}`,
    });
  }
  return { businesses: all.filter((b) => wanted.includes(b.id)), serverNow: serverNow ?? new Date() };
}
