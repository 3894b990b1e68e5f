import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultRule, FaultSettings } from "./faults.js";
import { readJson, sendJson } from "./http-util.js";
import type { Sandbox } from "./sandbox.js";

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const selector = (s: string) => (/^\d+$/.test(s) && s.length < 4 ? Number(s) : s);

function faultSettings(body: Record<string, unknown>): FaultSettings {
  const rules = Array.isArray(body.rules)
    ? (body.rules as Array<Record<string, unknown>>).map((r): FaultRule => ({
        fault: (r.fault === "drop" ? "drop" : Number(r.fault)) as FaultRule["fault"],
        ...(str(r.path) !== undefined ? { path: str(r.path) } : {}),
        ...(str(r.business) !== undefined ? { business: str(r.business) } : {}),
        ...(num(r.times) !== undefined ? { times: num(r.times) } : {}),
        ...(num(r.retryAfterSeconds) !== undefined ? { retryAfterSeconds: num(r.retryAfterSeconds) } : {}),
      }))
    : undefined;
  return {
    ...(num(body.faultRate) !== undefined ? { faultRate: num(body.faultRate) } : {}),
    ...(rules ? { rules } : {}),
    append: body.append === true,
  };
}

/**
 * `/__sandbox/...`: drive a sandbox that runs in another process (the CLI's `sandbox` command)
 * from tests. Unauthenticated, on 127.0.0.1 only, never counted in the stats. It hands out
 * tokens but never the client secret or the SA password.
 */
export function adminHandler(current: () => Sandbox) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const sb = current();
    const route = `${req.method} ${url.pathname.replace(/\/+$/, "")}`;
    try {
      const body = req.method === "POST" ? await readJson(req) : {};
      const store = /^GET \/__sandbox\/store\/([^/]+)\/([^/]+)$/.exec(route);
      const saStore = /^GET \/__sandbox\/sa\/store\/(\d+)\/([^/]+)$/.exec(route);
      if (route === "GET /__sandbox/info") sendJson(res, 200, sb.info());
      else if (route === "GET /__sandbox/stats") sendJson(res, 200, sb.stats);
      else if (route === "POST /__sandbox/stats/reset") {
        sb.resetStats();
        sendJson(res, 200, sb.stats);
      } else if (route === "POST /__sandbox/tokens") sendJson(res, 200, sb.issueTokens(str(body.scope)));
      else if (route === "POST /__sandbox/tokens/expire") sendJson(res, 200, { expired: sb.expireAccessTokens() });
      else if (route === "POST /__sandbox/mutate") sendJson(res, 200, sb.mutate(body));
      else if (route === "POST /__sandbox/sa/mutate") sendJson(res, 200, sb.mutateSa(body));
      else if (route === "POST /__sandbox/sa/reset-limits") {
        sb.resetSaLimits();
        sendJson(res, 200, { ok: true });
      } else if (route === "POST /__sandbox/faults") sendJson(res, 200, { pending: sb.setFaults(faultSettings(body)) });
      else if (store) {
        const [, business = "", resource = ""] = store;
        const includeDeleted = url.searchParams.get("include_deleted") === "true";
        const records =
          resource.endsWith("_settings") || resource === "migrations"
            ? sb.store.singleton(selector(business), resource)
            : sb.store.records(selector(business), resource, { includeDeleted });
        sendJson(res, 200, records);
      } else if (saStore) {
        const includeDetail = url.searchParams.get("include_detail") === "true";
        sendJson(res, 200, sb.store.saRecords(Number(saStore[1]), saStore[2] ?? "", { includeDetail }));
      } else sendJson(res, 404, { error: "not_found", message: `No admin route ${route}.` });
    } catch (err) {
      sendJson(res, 400, { error: "bad_request", message: err instanceof Error ? err.message : String(err) });
    }
  };
}
