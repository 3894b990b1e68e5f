import { NotFoundError, PermissionDeniedError } from "../http/index.js";
import type { QueryValue } from "../http/index.js";
import { type Item, type Resource, type ResourceContext, resource } from "../extract/index.js";
import type { ResponseAction } from "../rest/index.js";
import { mergeAsync } from "../util/merge-async.js";
import type { Business } from "./businesses.js";
import type { EndpointSpec } from "./catalog/index.js";
import { columnHints } from "./column-hints.js";
import { NoActiveSubscriptionError, isNoActiveSubscription, sageAuthError } from "./errors.js";
import type { ResolvedSageOptions } from "./options.js";
import { SagePaginator } from "./paginator.js";
import type { SageRun } from "./run-context.js";

/** Per resource and business: where the next incremental window starts (the server's clock). */
interface BusinessCursor {
  lastRunStartedAt?: string;
}
interface SageResourceState {
  businesses?: Record<string, BusinessCursor>;
}

/** Hypermedia `links` ({href, rel, type}) carry no accounting data; they would only add tables. */
function withoutLinks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLinks);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === "links" && Array.isArray(v)) continue;
    out[k] = typeof v === "object" && v !== null ? withoutLinks(v) : v;
  }
  return out;
}

function rows(items: unknown[], business: Business): Item[] {
  return items.map((it) => ({ business_id: business.id, ...(withoutLinks(it) as Item) }));
}

/**
 * One catalog endpoint as a resource: every business is read concurrently (within the shared
 * limiter), each with `X-Business`; rows get `business_id`; the key is `(business_id, id)`; the
 * write disposition is merge. Later runs only ask for what changed since the previous run
 * started (minus an overlap), plus deletions where the endpoint has `deleted_since`.
 */
export function endpointResource(
  spec: EndpointSpec,
  o: ResolvedSageOptions,
  runFor: (ctx: ResourceContext) => Promise<SageRun>,
): Resource {
  const fetchBusiness = async function* (run: SageRun, b: Business, ctx: ResourceContext): AsyncGenerator<Item[]> {
    if (run.isInactive(b)) return;
    const state = ctx.state as SageResourceState;
    const cursors = (state.businesses ??= {});
    const last = cursors[b.id]?.lastRunStartedAt;
    const since = last
      ? new Date(Date.parse(last) - o.overlapSeconds * 1000).toISOString().replace(".000Z", "Z")
      : o.initialUpdatedSince;
    const headers = { "X-Business": b.id };
    const actions: ResponseAction[] = [
      {
        statusCode: 401,
        action: (response) => {
          if (isNoActiveSubscription(response.status, response.text)) throw new NoActiveSubscriptionError(b.id, b.name);
        },
      },
    ];
    try {
      if (spec.kind === "singleton") {
        const res = await run.client.get(spec.path.slice(1), { headers, signal: ctx.signal });
        if (isNoActiveSubscription(res.status, res.text)) throw new NoActiveSubscriptionError(b.id, b.name);
        yield rows([res.json()], b);
      } else {
        const params: Record<string, QueryValue> = {};
        if (spec.filters.attributes) params.attributes = "all";
        const passes: Array<Record<string, QueryValue>> = [];
        if (since && spec.filters.updatedOrCreatedSince) passes.push({ ...params, updated_or_created_since: since });
        else passes.push(params);
        // Deletions: only on later runs (a first full read has no deleted rows to learn about).
        if (last && since && spec.filters.deletedSince) passes.push({ ...params, deleted_since: since });
        for (const p of passes) {
          const pages = run.client.paginate(spec.path.slice(1), {
            params: p,
            headers,
            paginator: new SagePaginator(o.itemsPerPage),
            dataSelector: "['$items']",
            responseActions: actions,
            signal: ctx.signal,
          });
          for await (const page of pages) yield rows(page.items, b);
        }
      }
      cursors[b.id] = { lastRunStartedAt: run.serverNow.toISOString() };
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof NoActiveSubscriptionError ? err.cause : err;
      if (cause instanceof NoActiveSubscriptionError) {
        run.markInactive(b, cause.message);
        return;
      }
      if (err instanceof PermissionDeniedError) {
        run.warnOnce(
          `${spec.name}:${b.id}`,
          `${spec.name}: skipped for business "${b.name}" (${b.id}): the user has no role in ${spec.areas.join(" or ") || "that area"} (403)`,
        );
        return;
      }
      if (err instanceof NotFoundError) {
        run.warnOnce(
          `${spec.name}:${b.id}`,
          `${spec.name}: skipped for business "${b.name}" (${b.id}): not available for its country or subscription (404)`,
        );
        return;
      }
      throw sageAuthError(err);
    }
  };

  const pk = spec.rows.id ? ["business_id", "id"] : ["business_id"];
  return resource(
    async function* (ctx: ResourceContext) {
      const run = await runFor(ctx).catch((err: unknown) => {
        throw sageAuthError(err);
      });
      yield* mergeAsync(run.businesses.map((b) => fetchBusiness(run, b, ctx)));
    },
    { name: spec.name, primaryKey: pk, writeDisposition: "merge", columns: columnHints(spec, o.hardDelete) },
  );
}
