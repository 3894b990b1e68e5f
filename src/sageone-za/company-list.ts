import type { Logger } from "../util/logger.js";
import type { SageOneZaClient } from "./client.js";
import type { RunScope } from "./run-scope.js";

/** Every company `Company/Get` lists for this user (paged like any list). */
export async function listCompanies(client: SageOneZaClient, scope: RunScope, log: Logger): Promise<number[]> {
  const ids: number[] = [];
  for await (const rows of client.pages({
    service: "Company",
    label: "Company/Get",
    signal: scope.signal,
    log,
    onBlocked: (e) => {
      scope.fail(e);
    },
  })) {
    for (const row of rows) if (typeof row.ID === "number") ids.push(row.ID);
  }
  if (ids.length === 0) log.warn("Company/Get lists no company for this user: nothing to load");
  else log.info(`loading ${ids.length} compan${ids.length === 1 ? "y" : "ies"}: ${ids.join(", ")}`);
  return ids;
}
