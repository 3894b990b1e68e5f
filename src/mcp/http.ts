import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { ConfigError, errorMessage } from "../util/errors.js";
import { logger } from "../util/logger.js";
import { refusal } from "../dashboard/server.js";
import { createMcpServer, type McpSetup } from "./server.js";

const log = logger("mcp");

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}

export interface McpHttpServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Streamable HTTP on 127.0.0.1, stateless: every POST to /mcp gets its own server and transport
 * (the tools keep no session state). Host and Origin are checked before the SDK sees a request.
 */
export async function startMcpHttp(setup: McpSetup, port: number): Promise<McpHttpServer> {
  let bound = port;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The dashboard's rules: Host 127.0.0.1/localhost:<port> only (DNS rebinding), no foreign
    // Origin, JSON bodies only (no CORS-free cross-site form post).
    const refused = refusal(req, bound);
    if (refused) {
      refuse(res, refused.status, refused.error);
      return;
    }
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path !== "/mcp") {
      refuse(res, 404, "the MCP endpoint is /mcp");
      return;
    }
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      refuse(res, 405, "this server is stateless: POST JSON-RPC requests to /mcp");
      return;
    }
    const server = createMcpServer(setup);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };
  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.warn(errorMessage(err));
      if (!res.headersSent) refuse(res, 500, "internal error");
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        new ConfigError(`cannot listen on 127.0.0.1:${port}: ${err.code ?? err.message}`, {
          hint: "pass --port with a free port",
        }),
      );
    });
    http.listen(port, "127.0.0.1", () => {
      resolve();
    });
  });
  bound = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => {
          resolve();
        });
      }),
  };
}
