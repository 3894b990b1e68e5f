import type { IncomingMessage } from "node:http";

/**
 * The dashboard's rule for a server on 127.0.0.1: answer only requests addressed to
 * 127.0.0.1:<port> or localhost:<port> (a DNS-rebinding page still sends its own host name) and
 * refuse any Origin but those. Returns why a request is refused, or undefined.
 */
export function localRequestRefusal(req: IncomingMessage, port: number): string | undefined {
  const own = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!own.includes(req.headers.host ?? "")) return "this server answers only 127.0.0.1 and localhost";
  const origin = req.headers.origin;
  if (origin !== undefined && !own.some((h) => origin === `http://${h}`)) return "cross-origin requests are refused";
  return undefined;
}
