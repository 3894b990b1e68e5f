import { Secret } from "../../config/index.js";
import type { OutgoingRequest, RequestAuth } from "../../http/index.js";

/** `api_key`: in a header (default `Authorization`), a query parameter, or a cookie (dlt raises NotImplementedError there). */
export class ApiKeyAuth implements RequestAuth {
  private readonly apiKey: Secret;
  readonly name: string;
  readonly location: "header" | "query" | "cookie";

  constructor(options: { apiKey: string | Secret; name?: string; location?: "header" | "query" | "param" | "cookie" }) {
    this.apiKey = Secret.from(options.apiKey);
    this.name = options.name ?? "Authorization";
    this.location = options.location === "param" ? "query" : (options.location ?? "header");
  }

  apply(request: OutgoingRequest): void {
    const key = this.apiKey.reveal();
    if (this.location === "query") {
      request.url.searchParams.set(this.name, key);
    } else if (this.location === "cookie") {
      const existingName = Object.keys(request.headers).find((h) => h.toLowerCase() === "cookie");
      const pair = `${this.name}=${encodeURIComponent(key)}`;
      if (existingName) request.headers[existingName] = `${request.headers[existingName]}; ${pair}`;
      else request.headers.cookie = pair;
    } else {
      request.headers[this.name] = key;
    }
  }
}
