import type { PipelineAccess } from "./access.js";
import { booksView } from "./books.js";
import { runsView } from "./runs.js";
import { sageView } from "./sage-view.js";
import { schemaDiffView, schemaView } from "./schema-view.js";
import { pipelineSummary } from "./summary.js";
import { stateView } from "./state-view.js";
import { rowsRequest, tableRows } from "./table-rows.js";

/**
 * The views' GET routes under `/api/` (the server owns the checks every request passes first):
 * `summary`, and per pipeline `runs`, `rows?table=&offset=&limit=&sort=&desc=`, `state`, `sage`, `schema`,
 * `schema-diff?schema=&from=&to=`,
 * `books?business=`. Undefined: not one of these routes.
 */
export async function viewRoute(
  access: PipelineAccess & { pipelineNames(): string[] },
  parts: string[],
  params: URLSearchParams,
): Promise<unknown> {
  if (parts.length === 2 && parts[1] === "summary") {
    return access.pipelineNames().map((n) => pipelineSummary(n, access.workingDir(n)));
  }
  const name = parts[2];
  if (parts[1] !== "pipelines" || name === undefined || parts.length !== 4) return undefined;
  switch (parts[3]) {
    case "runs":
      return runsView(access, name);
    case "rows":
      return tableRows(access, name, rowsRequest(params));
    case "state":
      return stateView(access.workingDir(name));
    case "sage":
      return sageView(access.workingDir(name));
    case "schema":
      return schemaView(access, name);
    case "schema-diff":
      return schemaDiffView(access, name, params);
    case "books":
      return booksView(access, name, params.get("business"));
    default:
      return undefined;
  }
}
