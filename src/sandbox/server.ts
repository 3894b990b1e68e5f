import type { IncomingMessage, ServerResponse } from "node:http";
import { logger } from "../util/logger.js";
import { redactUrl } from "../util/redact.js";
import { handleAuthorize, handleToken, type OAuthConfig } from "./auth/oauth.js";
import type { Fault } from "./faults.js";
import { sendJson, sendSageError, sleep } from "./http-util.js";
import { handleSa } from "./sa/sa-router.js";
import type { SandboxState } from "./state.js";
import { authorize, handleV3 } from "./v3/router.js";

const log = logger("sandbox");

export type AdminHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/**
 * The request pipeline: admin calls bypass everything; API calls count towards the stats and
 * the concurrency limit, wait the configured latency, may get an injected fault, then reach
 * their router. Nothing here logs credentials: only method, redacted URL and status.
 */
export function createHandler(state: SandboxState, oauth: OAuthConfig, admin: AdminHandler) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    const started = Date.now();
    if (path.startsWith("/__sandbox/")) {
      await admin(req, res, url);
      return;
    }
    // The HTTP Date header tells the sandbox's data time, as a real server's clock would: clients
    // that take "now" from the server (the Sage source does, for its incremental windows) then
    // agree with the created_at/updated_at values the sandbox writes.
    res.setHeader("date", new Date(state.clock.now() * 1000).toUTCString());
    let business: string | null = null;
    let dropped = false;
    res.on("finish", () => {
      state.stats.record(path, business, res.statusCode);
      if (state.options.logRequests)
        log.info(
          `${req.method} ${redactUrl(`http://sandbox${req.url ?? ""}`).slice(14)} ${res.statusCode} ${Date.now() - started}ms`,
        );
    });
    res.on("close", () => {
      if (!res.writableFinished && !dropped) {
        dropped = true;
        state.stats.record(path, business, 0);
      }
    });
    const v3 = path === "/v3.1" || path.startsWith("/v3.1/");
    const sa = path.startsWith("/api/2.0.0/");
    const header = req.headers["x-business"];
    // Until a router says otherwise, refusals (429, faults) are counted against the business asked for.
    const target = v3 ? (typeof header === "string" ? header : state.lead.id) : null;
    business = target;
    if (v3) {
      const inFlight = state.stats.enter();
      res.on("close", () => {
        state.stats.leave();
      });
      if (inFlight > state.options.maxConcurrent) {
        sendSageError(res, 429, "TooManyRequests", "Too many concurrent requests. Please wait and repeat the request.", {
          "retry-after": "1",
        });
        return;
      }
    }
    if ((v3 || sa) && state.options.latencyMs > 0) await sleep(state.options.latencyMs);
    if (res.destroyed) return;
    const fault = state.faults.next(path, target, v3 || sa);
    if (fault) {
      state.stats.faultsInjected++;
      if (fault.kind === "drop") dropped = true;
      injectFault(res, fault, path);
      if (fault.kind === "drop") state.stats.record(path, target, 0);
      return;
    }
    if (path === "/oauth2/auth/central" && req.method === "GET") handleAuthorize(url, res, oauth, state.tokens);
    else if (path === "/oauth/token") await handleToken(req, res, oauth, state.tokens);
    else if (v3) {
      business = authorize(state, req, res) ? handleV3(state, req, res, url).business : null;
    } else if (sa) business = handleSa(state, req, res, url).business;
    else sendJson(res, 404, { error: "not_found", message: `Nothing is served at ${path}.` });
  };
}

function injectFault(res: ServerResponse, fault: Fault, path: string): void {
  const retry = { "retry-after": String(fault.retryAfterSeconds) };
  switch (fault.kind) {
    case 429:
      sendSageError(res, 429, "TooManyRequests", "Rate limit exceeded. Please wait and repeat the request.", retry);
      return;
    case 503:
      sendSageError(res, 503, "ServiceUnavailable", "The service is temporarily unavailable. Please try again later.", retry);
      return;
    case "drop": {
      // Promise a full body, send a fragment, then cut the connection: the client sees a truncated response.
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": "4096" });
      res.write(`{"$total":1200,"$page":1,"$next":"${path.replace(/^\/v3\.1/, "")}?page=2","$items":[{"id":"`);
      setImmediate(() => res.socket?.destroy());
      return;
    }
    default:
      sendSageError(res, fault.kind, "ServerError", `Injected fault: HTTP ${fault.kind}.`);
  }
}

/** Wraps a handler so an unexpected error answers 500 (Sage's body) instead of hanging the client. */
export function guarded(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handler(req, res).catch((err: unknown) => {
      log.error(`request failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) sendSageError(res, 500, "InternalServerError", "The sandbox failed to answer this request.");
      else res.destroy();
    });
  };
}
