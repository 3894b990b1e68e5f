import { type Item, type Resource, type ResourceContext, resource, SourceError } from "../extract/index.js";
import { mergeAsync } from "../util/merge-async.js";
import type { Business } from "./businesses.js";
import { type BusinessRead, planPasses, readBusiness } from "./business-read.js";
import type { EndpointSpec } from "./catalog/index.js";
import { columnHints } from "./column-hints.js";
import { NoActiveSubscriptionError, sageAuthError } from "./errors.js";
import type { ResolvedSageOptions } from "./options.js";
import { type Cadence, deletionFor, needsIdReconciliation, parseCadence, reconcileDue } from "./reconcile.js";
import { describeBusiness, type SageSession } from "./session.js";

/** Per resource and business: where the next incremental window starts, and the last reconciliation (the server's clock). */
interface BusinessCursor {
  lastRunStartedAt?: string;
  /** When the ids of every row were last compared with the destination's (a full read or an ids pass). */
  lastReconciledAt?: string;
}
interface SageResourceState {
  businesses?: Record<string, BusinessCursor>;
}

/**
 * One catalog endpoint as a resource: every business is read concurrently (within the shared
 * limiter), each with `X-Business`; rows get `business_id`; the key is `(business_id, id)`; the
 * write disposition is merge. Later runs only ask for what changed since the previous run
 * started (minus an overlap), plus deletions where the endpoint has `deleted_since`.
 *
 * Per business, a read ends one of four ways: complete (its cursor moves to this run's start);
 * the endpoint is not there for it (403/404 on the first request: skipped with a warning, as
 * Sage's areas and country/plan availability mean); the business has no active subscription
 * (skipped by every resource); or broken (anything else: the (resource, business) is reported
 * incomplete, its cursor stays, the other businesses go on). Credential failures stop the run.
 */
export function endpointResource(
  spec: EndpointSpec,
  o: ResolvedSageOptions,
  sessionFor: (ctx: ResourceContext) => Promise<SageSession>,
): Resource {
  const cadence: Cadence = parseCadence(o.reconcileEvery) ?? { every: "always" };
  const oneBusiness = async function* (session: SageSession, b: Business, ctx: ResourceContext): AsyncGenerator<Item[]> {
    if (session.isInactive(b)) {
      ctx.reportSkipped(skippedForSubscription(b));
      return;
    }
    const cursors = ((ctx.state as SageResourceState).businesses ??= {});
    const cursor = cursors[b.id];
    const last = cursor?.lastRunStartedAt;
    const since = last
      ? new Date(Date.parse(last) - o.overlapSeconds * 1000).toISOString().replace(".000Z", "Z")
      : o.initialUpdatedSince;
    const listIds = needsIdReconciliation(spec) && reconcileDue(cadence, cursor?.lastReconciledAt, session.serverNow);
    const read: BusinessRead = { business: b, passes: planPasses(spec, since, last !== undefined, listIds) };
    try {
      yield* readBusiness(spec, o, session, read, ctx);
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof NoActiveSubscriptionError ? err.cause : err;
      if (cause instanceof NoActiveSubscriptionError) {
        session.markInactive(b, cause.message);
        ctx.reportSkipped(skippedForSubscription(b));
        return;
      }
      const fatal = sageAuthError(err);
      if (fatal instanceof SourceError) throw fatal;
      // The extract is stopping (another resource hit a fatal error): that error is the report.
      if (ctx.signal.aborted) throw err;
      ctx.reportIncomplete({ partition: { business_id: b.id }, label: describeBusiness(b), reason: err });
      return;
    }
    if (read.unavailable) {
      const why =
        read.unavailable === "forbidden"
          ? `the user has no role in ${spec.areas.join(" or ") || "that area"} (403)`
          : "not available for its country or subscription (404)";
      session.warnOnce(`${spec.name}:${b.id}`, `${spec.name}: skipped for ${describeBusiness(b)}: ${why}`);
      ctx.reportSkipped({
        partition: { business_id: b.id },
        label: describeBusiness(b),
        reason: why,
        status: read.unavailable === "forbidden" ? 403 : 404,
      });
      return;
    }
    const now = session.serverNow;
    // The ids of every row: those of a full read (no filter but the business) or of the ids pass.
    const list = read.passes.find((p) => p.kind === "ids" || p.kind === "full");
    if (list && spec.kind !== "singleton" && spec.rows.id) {
      ctx.reportKeySet({
        partition: { business_id: b.id },
        label: describeBusiness(b),
        keyColumn: "id",
        keys: list.ids ?? [],
        ...(list.total !== undefined ? { total: list.total } : {}),
        // No cursor: a first run or a full refresh, which replaces the business's rows.
        mode: last === undefined ? "replace" : "deletions",
        deletion: deletionFor(spec, o.hardDelete, now),
      });
    }
    cursors[b.id] = {
      lastRunStartedAt: now.toISOString(),
      ...(list
        ? { lastReconciledAt: now.toISOString() }
        : cursor?.lastReconciledAt
          ? { lastReconciledAt: cursor.lastReconciledAt }
          : {}),
    };
  };

  // Sage answers 401 "No active subscription. (MSE)" for such a business: every resource skips it.
  const skippedForSubscription = (b: Business) => ({
    partition: { business_id: b.id },
    label: describeBusiness(b),
    reason: "the business has no active Sage subscription (401)",
    status: 401,
  });

  const pk = spec.rows.id ? ["business_id", "id"] : ["business_id"];
  return resource(
    async function* (ctx: ResourceContext) {
      const session = await sessionFor(ctx);
      yield* mergeAsync(session.businesses.map((b) => oneBusiness(session, b, ctx)));
    },
    { name: spec.name, primaryKey: pk, writeDisposition: "merge", columns: columnHints(spec, o.hardDelete) },
  );
}
