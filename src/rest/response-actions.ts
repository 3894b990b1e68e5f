import { HttpResponse, type ResponseVerdict } from "../http/index.js";
import type { Logger } from "../util/logger.js";
import type { ResponseAction, ResponseCallback } from "./types.js";

async function runCallbacks(fns: ResponseCallback[], response: HttpResponse): Promise<HttpResponse | "ignore"> {
  let current = response;
  for (const f of fns) {
    const r = await f(current);
    if (r === "ignore") return "ignore";
    if (r instanceof HttpResponse) current = r;
  }
  return current;
}

/**
 * dlt's `response_actions` as a response hook. Bare callbacks run on every response; the first
 * `{ statusCode, content }` rule that matches (both must, when both are given) runs its action:
 * `"ignore"` ends the request quietly (nothing is yielded), callbacks may replace the response.
 * Runs before retry rules, so an ignored 5xx is not retried.
 */
export function responseActionsHook(
  actions: ResponseAction[] | undefined,
  label: string,
  log: Logger,
): ((r: HttpResponse) => Promise<ResponseVerdict>) | undefined {
  if (!actions || actions.length === 0) return undefined;
  return async (response) => {
    let current = response;
    for (const action of actions) {
      if (typeof action === "function") {
        const r = await runCallbacks([action], current);
        if (r === "ignore") return "ignore";
        current = r;
        continue;
      }
      const statusOk = action.statusCode === undefined || action.statusCode === current.status;
      const contentOk = action.content === undefined || current.text.includes(action.content);
      if (!statusOk || !contentOk) continue;
      if (action.action === "ignore") {
        log.info(
          `${label}: ignoring the ${current.status} response of ${current.request.method} ${current.request.url} (responseActions)`,
        );
        return "ignore";
      }
      const r = await runCallbacks(Array.isArray(action.action) ? action.action : [action.action], current);
      return r === "ignore" ? "ignore" : r;
    }
    return current === response ? undefined : current;
  };
}
