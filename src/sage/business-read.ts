import { type Item, type ResourceContext, tagPageUrl } from "../extract/index.js";
import { NotFoundError, PermissionDeniedError, type QueryValue } from "../http/index.js";
import type { ResponseAction } from "../rest/index.js";
import type { Business } from "./businesses.js";
import type { EndpointSpec } from "./catalog/index.js";
import { NoActiveSubscriptionError, isNoActiveSubscription } from "./errors.js";
import type { ResolvedSageOptions } from "./options.js";
import { SagePaginator } from "./paginator.js";
import { pageRows } from "./rows.js";
import { describeBusiness, type SageSession } from "./session.js";

/**
 * One read of a list for one business: everything (`full`), what changed, what was deleted, or
 * only the ids of every row (`ids`: no `attributes`, so Sage answers the base attributes only;
 * the reconciliation of endpoints without `deleted_since`).
 */
export interface ListPass {
  kind: "full" | "changes" | "deletions" | "ids";
  params: Record<string, QueryValue>;
  /** `$total` of the first page: what Sage says the pass holds (a hint). */
  total?: number;
  /** Items that arrived, following `$next` to its end. */
  items: number;
  /** The ids of a `full` or `ids` pass, in the order they arrived. */
  ids?: string[];
}

/** What reading one endpoint for one business found, for the cursor and the reconciliation. */
export interface BusinessRead {
  business: Business;
  passes: ListPass[];
  /** A first request answered 403/404: the endpoint is not there for this business (skipped, not failed). */
  unavailable?: "forbidden" | "not available";
}

/**
 * The passes a run makes: changes since the window start (or everything), then deletions on later
 * runs, then (`listIds`, when a reconciliation is due) the ids of every row, which only helps an
 * incremental read: a full read's rows are the list already.
 */
export function planPasses(spec: EndpointSpec, since: string | undefined, laterRun: boolean, listIds = false): ListPass[] {
  const params: Record<string, QueryValue> = {};
  if (spec.filters.attributes) params.attributes = "all";
  const passes: ListPass[] = [];
  if (since && spec.filters.updatedOrCreatedSince)
    passes.push({ kind: "changes", params: { ...params, updated_or_created_since: since }, items: 0 });
  else passes.push({ kind: "full", params, items: 0 });
  // Deletions: only on later runs (a first full read has no deleted rows to learn about).
  if (laterRun && since && spec.filters.deletedSince)
    passes.push({ kind: "deletions", params: { ...params, deleted_since: since }, items: 0 });
  if (listIds && passes[0]!.kind === "changes") passes.push({ kind: "ids", params: {}, items: 0 });
  return passes;
}

/**
 * Rows of one endpoint for one business, pass by pass, each list followed through `$next` to
 * its end (the paginator fails the read on an incomplete page). Fills `read` as it goes. Throws
 * what went wrong; the caller decides whether that skips the business, stops the run or makes
 * this (resource, business) incomplete. A 403/404 counts as "not available" only when it
 * answers the very first request: once a page arrived, the endpoint exists and the read is
 * broken, not skipped.
 */
export async function* readBusiness(
  spec: EndpointSpec,
  o: ResolvedSageOptions,
  session: SageSession,
  read: BusinessRead,
  ctx: ResourceContext,
): AsyncGenerator<Item[]> {
  const b = read.business;
  const headers = { "X-Business": b.id };
  const label = `resource ${spec.name}, ${describeBusiness(b)}`;
  const actions: ResponseAction[] = [
    {
      statusCode: 401,
      action: (response) => {
        if (isNoActiveSubscription(response.status, response.text)) throw new NoActiveSubscriptionError(b.id, b.name);
      },
    },
  ];
  let arrived = false;
  try {
    if (spec.kind === "singleton") {
      const res = await session.client.get(spec.path.slice(1), { headers, signal: ctx.signal, label });
      if (isNoActiveSubscription(res.status, res.text)) throw new NoActiveSubscriptionError(b.id, b.name);
      arrived = true;
      read.passes.push({ kind: "full", params: {}, items: 1 });
      yield tagPageUrl(pageRows([res.json()], b, res), res.url);
      return;
    }
    for (const pass of read.passes) {
      const pages = session.client.paginate(spec.path.slice(1), {
        params: pass.params,
        headers,
        paginator: new SagePaginator(o.itemsPerPage),
        dataSelector: "['$items']",
        responseActions: actions,
        signal: ctx.signal,
        label,
        emptyPages: true,
      });
      let firstPage = true;
      for await (const page of pages) {
        if (firstPage) pass.total = totalOf(page.response.json());
        firstPage = false;
        arrived = true;
        pass.items += page.items.length;
        if (pass.kind === "full" || pass.kind === "ids") (pass.ids ??= []).push(...idsOf(page.items));
        if (pass.kind !== "ids" && page.items.length > 0)
          yield tagPageUrl(pageRows(page.items, b, page.response), page.response.url);
      }
      if (pass.total !== undefined && pass.total !== pass.items) {
        ctx.log.warn(
          `${spec.name}: ${describeBusiness(b)}: $total said ${pass.total} but $next led through ${pass.items} item(s)${pass.kind === "full" ? "" : ` (${pass.kind})`}; all ${pass.items} were read ($total is only a hint)`,
        );
      }
    }
  } catch (err) {
    if (!arrived && err instanceof PermissionDeniedError) read.unavailable = "forbidden";
    else if (!arrived && err instanceof NotFoundError) read.unavailable = "not available";
    else throw err;
  }
}

/** Ids of list items (Sage's are strings; a number is taken as its text). */
function idsOf(items: unknown[]): string[] {
  const out: string[] = [];
  for (const it of items) {
    const id = it !== null && typeof it === "object" ? (it as Record<string, unknown>).id : undefined;
    if (typeof id === "string" || typeof id === "number") out.push(String(id));
  }
  return out;
}

function totalOf(body: unknown): number | undefined {
  const t = (body as Record<string, unknown> | null)?.$total;
  const n = typeof t === "number" ? t : typeof t === "string" ? Number(t) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}
