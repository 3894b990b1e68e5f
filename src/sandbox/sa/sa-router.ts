import type { IncomingMessage, ServerResponse } from "node:http";
import { paramCaseless, sendJson } from "../http-util.js";
import type { SandboxState } from "../state.js";
import { ODataError, matches, parseFilter, parseOrderBy, sortRecords } from "./odata.js";
import { renderSa, saTime, type SaRecord } from "./sa-data.js";

/** The message Sage sends when the per-minute limit trips (it says an hour whatever the setting). */
export const SA_RATE_LIMIT_MESSAGE =
  "Your IP address has exceeded the allowed number of transactions per minute and has been blocked for 1 hour";
const PAGE_MAX = 100;

const message = (res: ServerResponse, status: number, text: string) => {
  sendJson(res, status, { Message: text });
};

/** `{39478ac6-...}`, `%7B...%7D` and the bare GUID are all the same key. */
const normalizeKey = (k: string) =>
  k
    .trim()
    .replace(/^\{|\}$/g, "")
    .toLowerCase();

function basicUser(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(header ?? "");
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, "base64").toString("utf8");
  const i = text.indexOf(":");
  return i < 0 ? undefined : { user: text.slice(0, i), password: text.slice(i + 1) };
}

function companyRecord(c: { ID: number; Name: string }, created: string): SaRecord {
  return {
    ID: c.ID,
    Name: c.Name,
    CurrencySymbol: "R",
    CurrencyDecimalDigits: 2,
    NumberDecimalDigits: 2,
    DecimalSeparator: ".",
    GroupSeparator: " ",
    TaxSystem: 1,
    Active: true,
    IsOwner: true,
    Country: "South Africa",
    City: "Cape Town",
    TaxNumber: `4${String(c.ID).padStart(9, "0")}`,
    Created: created,
    Modified: created,
  };
}

/** `/api/2.0.0/{Service}/Get[/{id}]?apikey=...&CompanyId=...` with Basic credentials. */
export function handleSa(state: SandboxState, req: IncomingMessage, res: ServerResponse, url: URL): { business: string | null } {
  const o = state.options;
  const [service = "", method = "", id, ...rest] = url.pathname
    .replace(/^\/api\/2\.0\.0\/?/, "")
    .split("/")
    .filter(Boolean);
  const apiKey = paramCaseless(url.searchParams, "apikey");
  const creds = basicUser(req.headers.authorization);
  if (
    !apiKey ||
    normalizeKey(apiKey) !== normalizeKey(o.saApiKey) ||
    !creds ||
    creds.user !== o.saUsername ||
    creds.password !== o.saPassword
  ) {
    message(res, 401, "Authorization has been denied for this request.");
    return { business: null };
  }
  if (req.method !== "GET" || method.toLowerCase() !== "get" || rest.length > 0) {
    message(res, 404, `No HTTP resource was found that matches the request URI '${url.pathname}'.`);
    return { business: null };
  }
  const limiterKey = (company: string) => `${normalizeKey(apiKey)}|${company}|${creds.user}`;
  if (service.toLowerCase() === "company") {
    if (!state.sa.admit(limiterKey("-"))) return blocked(state, res, null);
    const created = saTime(state.clock.start - 800 * 86_400, 1);
    const all = state.sa.companies.map((c) => companyRecord(c, created));
    sendJson(res, 200, { TotalResults: all.length, ReturnedResults: all.length, Results: all });
    return { business: null };
  }
  const svc = state.sa.service(service);
  if (!svc) {
    message(res, 404, `No HTTP resource was found that matches the request URI '${url.pathname}'.`);
    return { business: null };
  }
  const companyParam = paramCaseless(url.searchParams, "companyid");
  if (!companyParam || !/^\d+$/.test(companyParam)) {
    message(res, 400, "CompanyId is required for this request.");
    return { business: null };
  }
  const company = state.sa.companies.find((c) => c.ID === Number(companyParam));
  const business = `sa:${companyParam}`;
  if (!company) {
    // Sage answers "not authenticated or no rights" alike: a company the user cannot see is a 401.
    message(res, 401, "Authorization has been denied for this request.");
    return { business };
  }
  if (!state.sa.admit(limiterKey(String(company.ID)))) return blocked(state, res, business);
  const rows = state.sa.rows(company, svc);
  if (id !== undefined) {
    const row = rows.find((r) => String(r.id) === id);
    if (!row) message(res, 404, `${svc} ${id} does not exist in this company.`);
    else sendJson(res, 200, renderSa(row, true));
    return { business };
  }
  try {
    const includeDetail = (paramCaseless(url.searchParams, "includedetail") ?? "").toLowerCase() === "true";
    let records = rows.map((r) => renderSa(r, includeDetail));
    const filter = url.searchParams.get("$filter");
    if (filter) {
      const conditions = parseFilter(filter);
      records = records.filter((r) => matches(r, conditions));
    }
    const orderBy = url.searchParams.get("$orderby");
    if (orderBy) records = sortRecords(records, parseOrderBy(orderBy));
    const skip = Math.max(0, Number.parseInt(url.searchParams.get("$skip") ?? "0", 10) || 0);
    const topParam = Number.parseInt(url.searchParams.get("$top") ?? String(PAGE_MAX), 10);
    // "A maximum of 100 results will be returned for list methods, regardless of the parameter sent through."
    const top = Math.min(PAGE_MAX, Number.isNaN(topParam) || topParam < 0 ? PAGE_MAX : topParam);
    const page = records.slice(skip, skip + top);
    sendJson(res, 200, { TotalResults: records.length, ReturnedResults: page.length, Results: page });
  } catch (err) {
    if (!(err instanceof ODataError)) throw err;
    message(res, 400, err.message);
  }
  return { business };
}

function blocked(state: SandboxState, res: ServerResponse, business: string | null): { business: string | null } {
  state.stats.saBlocked++;
  message(res, 429, SA_RATE_LIMIT_MESSAGE);
  return { business };
}
