import { carryPageUrl } from "../extract/index.js";
import { ModifiedCursor } from "./modified-cursor.js";
import type { SageOneZaClient } from "./client.js";
import { FilterRefused } from "./response-hook.js";
import type { SaResourceSpec } from "./resources.js";
import type { RateLimitError } from "../http/index.js";
import type { Logger } from "../util/logger.js";

export interface CompanyRowsOptions {
  spec: SaResourceSpec;
  company: number;
  client: SageOneZaClient;
  /** `company id → cursor` of this list: read at the start, written when the company is done. */
  cursors: Record<string, string>;
  overlapMs: number;
  signal: AbortSignal;
  log: Logger;
  onBlocked: (error: RateLimitError) => void;
  warned: Set<string>;
}

const MIDNIGHT = /^(\d{4}-\d{2}-\d{2})T00:00:00(?:\.0+)?$/;
const squash = (name: string) => name.toLowerCase().replace(/_/g, "");

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** `company_id` first; a `CompanyId` field of the record would normalize to the same column and is dropped. */
function withCompany(record: Record<string, unknown>, company: number): Record<string, unknown> {
  const out: Record<string, unknown> = { company_id: company };
  for (const [key, value] of Object.entries(record)) if (squash(key) !== "companyid") out[key] = value;
  return out;
}

/**
 * A record as it is loaded: `company_id` on the row (part of the primary key) and on each row of
 * its lists (`Lines` → `tax_invoices__lines`), so child rows can be filtered by company without a
 * join; business dates sent as midnight timestamps cut to `YYYY-MM-DD` (other values are kept).
 */
export function shapeRow(record: Record<string, unknown>, company: number, spec: SaResourceSpec): Record<string, unknown> {
  const dates = new Set(spec.dates.map(squash));
  const out = withCompany(record, company);
  for (const [key, value] of Object.entries(out)) {
    if (Array.isArray(value)) {
      out[key] = (value as unknown[]).map((el) => (isPlainObject(el) ? withCompany(el, company) : el));
    } else if (typeof value === "string" && dates.has(squash(key))) {
      const m = MIDNIGHT.exec(value);
      if (m) out[key] = m[1];
    }
  }
  return out;
}

/**
 * Pages of one list in one company. Incremental lists ask only for rows modified since the
 * stored cursor; a service that refuses the `$filter` (400) is loaded in full instead, merged
 * on (company_id, id). The new cursor is written into `cursors` only once the list is complete,
 * and that state is committed with the load that carries the rows.
 */
export async function* companyRows(o: CompanyRowsOptions): AsyncGenerator<Record<string, unknown>[]> {
  const { spec, company } = o;
  const label = `${spec.name} (company ${company})`;
  const cursor = spec.incremental ? new ModifiedCursor(o.cursors[String(company)]) : undefined;
  const started = Date.now();
  let filter = cursor?.filter();
  for (;;) {
    const params = { ...(spec.detail ? { includeDetail: true } : {}), ...(filter ? { $filter: filter } : {}) };
    try {
      const pages = o.client.pages({
        service: spec.service,
        company,
        params,
        label,
        signal: o.signal,
        log: o.log,
        onBlocked: o.onBlocked,
        warned: o.warned,
      });
      for await (const rows of pages) {
        if (cursor) for (const row of rows) cursor.see(row.Modified);
        yield carryPageUrl(
          rows,
          rows.map((row) => shapeRow(row, company, spec)),
        );
      }
      break;
    } catch (err) {
      if (!(err instanceof FilterRefused) || filter === undefined) throw err;
      o.log.warn(`${label}: ${spec.service}/Get refused $filter on Modified (400): loading it in full`);
      filter = undefined;
    }
  }
  const next = cursor?.next(Date.now() - started, o.overlapMs);
  if (next !== undefined) o.cursors[String(company)] = next;
}
