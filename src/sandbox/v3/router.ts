import type { IncomingMessage, ServerResponse } from "node:http";
import { findEndpoint, isAvailable, isPermitted, type EndpointSpec } from "../../sage/catalog/index.js";
import { sendJson, sendSageError } from "../http-util.js";
import { renderSingleton } from "../render/settings.js";
import type { SandboxState } from "../state.js";
import type { BusinessProfile } from "../world/businesses.js";
import { businessStub, renderBusiness, renderUser } from "./core.js";
import { envelope } from "./envelope.js";
import { QueryError, parseListQuery } from "./list-query.js";
import { RenderCache, project, selectRows } from "./select-rows.js";

/** Every access-control area the spec mentions; a business's user has all but its denied ones. */
const ALL_AREAS = [
  "Sales",
  "Purchases",
  "Products & Services",
  "Contacts",
  "Bank",
  "Journals",
  "Settings",
  "Statutory reporting",
  "Reporting",
];

export interface V3Outcome {
  /** The business the request was answered for (stats), or null for core endpoints and failures before it. */
  business: string | null;
}

/** Bearer check: 401 with Sage's body for a missing, unknown or expired token. */
export function authorize(state: SandboxState, req: IncomingMessage, res: ServerResponse): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  const status = m ? state.tokens.check(m[1]!) : "unknown";
  if (status === "valid") return true;
  sendSageError(
    res,
    401,
    "AuthorizationFailure",
    status === "expired"
      ? "The access token has expired. Use the refresh token to get a new one."
      : "Unauthorized: a valid access token is required.",
  );
  return false;
}

/** Routes an authenticated `/v3.1/...` GET. */
export function handleV3(state: SandboxState, req: IncomingMessage, res: ServerResponse, url: URL): V3Outcome {
  const path = url.pathname.replace(/^\/v3\.1/, "").replace(/\/+$/, "") || "/";
  const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  const [resource = "", key, ...rest] = segments;
  if (req.method !== "GET" && req.method !== "HEAD") {
    sendSageError(res, 405, "MethodNotAllowed", `The sandbox serves ${req.method} on no endpoint: it is read-only.`, {
      allow: "GET",
    });
    return { business: null };
  }
  if (resource === "businesses") return handleBusinesses(state, res, url, key, rest);
  if (resource === "user" && key === undefined) {
    sendJson(res, 200, renderUser(state));
    return { business: null };
  }
  // X-Business picks the business; without it Sage uses the lead business. An id the user has
  // no access to answers 403 on every call, which is what a user removed from a business sees.
  const header = req.headers["x-business"];
  const requested = Array.isArray(header) ? header[0] : header;
  const business = requested ? state.business(requested.trim()) : state.lead;
  if (!business) {
    sendSageError(res, 403, "AccessDenied", "You do not have access to the business given in X-Business.");
    return { business: null };
  }
  const echo = { "x-business": business.id };
  if (!business.subscriptionActive) {
    sendSageError(res, 401, "AuthorizationFailure", "No active subscription. (MSE)", echo);
    return { business: business.id };
  }
  const endpoint = findEndpoint(resource);
  if (!endpoint || endpoint.name !== resource || rest.length > 0 || (key !== undefined && endpoint.kind === "singleton")) {
    sendSageError(res, 404, "RecordNotFound", `No route matches ${url.pathname}.`, echo);
    return { business: business.id };
  }
  if (!isAvailable(endpoint, business.country, business.tier)) {
    sendSageError(
      res,
      404,
      "RecordNotFound",
      `${endpoint.path} is not available for this business's country and subscription.`,
      echo,
    );
    return { business: business.id };
  }
  if (
    !isPermitted(
      endpoint,
      ALL_AREAS.filter((a) => !business.deniedAreas.includes(a)),
    )
  ) {
    sendSageError(
      res,
      403,
      "AccessDenied",
      `The user has no role in the area required by ${endpoint.path} (${endpoint.areas.join(" or ")}).`,
      echo,
    );
    return { business: business.id };
  }
  try {
    if (endpoint.kind === "singleton") sendJson(res, 200, renderSingleton(state.world(business), endpoint.name), echo);
    else if (key !== undefined) sendOne(state, res, business, endpoint, key, url, echo);
    else sendList(state, res, business, endpoint, url, echo);
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    sendSageError(res, 400, "InvalidParameter", err.message, echo);
  }
  return { business: business.id };
}

function handleBusinesses(
  state: SandboxState,
  res: ServerResponse,
  url: URL,
  key: string | undefined,
  rest: string[],
): V3Outcome {
  if (rest.length > 0) {
    sendSageError(res, 404, "RecordNotFound", `No route matches ${url.pathname}.`);
    return { business: null };
  }
  if (key === undefined) {
    const all = url.searchParams.get("attributes") === "all";
    const items = state.businesses.map((b) => (all ? renderBusiness(state, b) : businessStub(b)));
    // Core endpoints differ from the accounting ones: `$items_per_page`, and everything on one page.
    sendJson(res, 200, {
      $total: items.length,
      $page: 1,
      $next: null,
      $back: null,
      $items_per_page: 2147483647,
      $items: items,
    });
    return { business: null };
  }
  const b = key === "lead" ? state.lead : state.business(key);
  if (!b) sendSageError(res, 404, "RecordNotFound", "Business not found.");
  else sendJson(res, 200, renderBusiness(state, b));
  return { business: null };
}

function sendOne(
  state: SandboxState,
  res: ServerResponse,
  b: BusinessProfile,
  endpoint: EndpointSpec,
  key: string,
  url: URL,
  echo: Record<string, string>,
): void {
  const w = state.world(b);
  const row = w.table(endpoint.name).find(key);
  if (!row || row.gone || (row.deletedAt !== null && !endpoint.rows.deletedFlag)) {
    sendSageError(res, 404, "RecordNotFound", `No ${endpoint.name} with id ${key}.`, echo);
    return;
  }
  const showPaymentsAllocations = url.searchParams.get("show_payments_allocations") === "true";
  sendJson(res, 200, w.render(endpoint.name, row, { showPaymentsAllocations }), echo);
}

function sendList(
  state: SandboxState,
  res: ServerResponse,
  b: BusinessProfile,
  endpoint: EndpointSpec,
  url: URL,
  echo: Record<string, string>,
): void {
  const w = state.world(b);
  const q = parseListQuery(endpoint, url.searchParams);
  const renders = new RenderCache(w, endpoint.name, q, endpoint.definition);
  const rows = state.selections.get(w, endpoint, q, () => selectRows(w, endpoint, q, renders));
  const pages = Math.max(1, Math.ceil(rows.length / q.itemsPerPage));
  // A page past the end answers with the last page again (Sage's trap for "loop until empty").
  const page = Math.min(q.page, pages);
  const slice = rows.slice((page - 1) * q.itemsPerPage, page * q.itemsPerPage);
  const items = slice.map((r) => (q.attributes === "base" ? renders.base(r) : project(renders.full(r), q.attributes)));
  sendJson(res, 200, envelope(endpoint.path, url.searchParams, rows.length, page, pages, q.itemsPerPage, items), echo);
}
