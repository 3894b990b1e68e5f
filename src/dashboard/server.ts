import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ConfigResolver } from "../config/resolver.js";
import { ConfigError, errorMessage } from "../util/errors.js";
import { logger } from "../util/logger.js";
import { DashboardApi } from "./api.js";
import { viewRoute } from "./api/routes.js";
import { staticAsset } from "./assets.js";

const log = logger("dashboard");

/** JSON that survives what datasets hold: bigints as strings, binary as base64. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (
      v &&
      typeof v === "object" &&
      (v as { type?: string }).type === "Buffer" &&
      Array.isArray((v as { data?: unknown }).data)
    ) {
      return Buffer.from((v as { data: number[] }).data).toString("base64");
    }
    return v;
  });
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(body);
}

/** Why a request is refused before it reaches the API (the page's own requests always pass).
 * Exported for the MCP server's HTTP transport, which follows the same rules. */
export function refusal(req: IncomingMessage, port: number): { status: number; error: string } | undefined {
  const own = [`127.0.0.1:${port}`, `localhost:${port}`];
  // DNS rebinding: a foreign page whose host name now resolves to 127.0.0.1 still sends its name.
  if (!own.includes(req.headers.host ?? "")) return { status: 403, error: "this dashboard answers only 127.0.0.1 and localhost" };
  const origin = req.headers.origin;
  if (origin !== undefined && !own.some((h) => origin === `http://${h}`)) {
    return { status: 403, error: "cross-origin requests are refused" };
  }
  if (req.method === "POST") {
    // A cross-site form or a "simple" fetch cannot send application/json without a CORS preflight,
    // which this server never grants.
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") return { status: 415, error: "send the query as application/json" };
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 100_000) throw new ConfigError("query too long");
  }
  return body;
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

/**
 * `sage-pipeline show`: a read-only web app over the local pipelines, on 127.0.0.1 only: an
 * overview of every pipeline, runs and loads, the schema, a data browser with a query box, the
 * state's cursors and the Books of the accounting models. Its static files (web/dashboard/ and
 * Chart.js from node_modules) are served from disk, never fetched from the internet. Credentials are never shown: the destination's
 * location is the redacted one LoadInfo prints.
 */
export async function startDashboard(options: {
  pipelinesDir: string;
  config: ConfigResolver;
  port?: number;
}): Promise<Dashboard> {
  const api = new DashboardApi(options.pipelinesDir, options.config);
  let port = 0;
  const server = createServer((req, res) => {
    const refused = refusal(req, port);
    if (refused) {
      send(res, refused.status, toJson({ error: refused.error }), "application/json");
      return;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const handle = async (): Promise<void> => {
      const asset = req.method === "GET" ? staticAsset(url.pathname) : undefined;
      if (asset) {
        send(res, 200, asset.body, asset.type);
        return;
      }
      if (parts[0] !== "api") {
        send(res, 404, toJson({ error: "not found" }), "application/json");
        return;
      }
      if (parts.length === 2 && parts[1] === "pipelines") {
        send(res, 200, toJson(api.pipelines()), "application/json");
        return;
      }
      const name = parts[2];
      if (parts[1] === "pipelines" && name && parts.length === 3) {
        send(res, 200, toJson(await api.overview(name)), "application/json");
        return;
      }
      if (parts[1] === "pipelines" && name && parts[3] === "data") {
        send(res, 200, toJson(await api.data(name)), "application/json");
        return;
      }
      if (parts[1] === "pipelines" && name && parts[3] === "query" && req.method === "POST") {
        const { sql } = JSON.parse(await readBody(req)) as { sql?: unknown };
        if (typeof sql !== "string") throw new ConfigError('send {"sql": "<query>"}');
        send(res, 200, toJson(await api.query(name, sql)), "application/json");
        return;
      }
      const view = req.method === "GET" ? await viewRoute(api, parts, url.searchParams) : undefined;
      if (view !== undefined) {
        send(res, 200, toJson(view), "application/json");
        return;
      }
      send(res, 404, toJson({ error: "not found" }), "application/json");
    };
    handle().catch((err: unknown) => {
      const status = err instanceof ConfigError || err instanceof SyntaxError ? 400 : 500;
      if (status === 500) log.warn(errorMessage(err));
      send(res, status, toJson({ error: errorMessage(err) }), "application/json");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        new ConfigError(`cannot listen on 127.0.0.1:${options.port ?? 8765}: ${err.code ?? err.message}`, {
          hint: "pass --port with a free port",
        }),
      );
    });
    server.listen(options.port ?? 8765, "127.0.0.1", () => {
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
