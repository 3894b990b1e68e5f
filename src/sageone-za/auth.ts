import type { Secret } from "../config/index.js";
import type { OutgoingRequest, RequestAuth } from "../http/index.js";
import { ApiKeyAuth, HttpBasicAuth } from "../rest/index.js";

/**
 * Sage One SA wants both on every call: `apikey=<key>` in the query string and the user's login
 * as HTTP Basic. The http layer redacts `apikey` in every URL it logs, reports or throws, and
 * both the key and the encoded login are registered secrets, scrubbed from any text.
 */
export class SageOneZaAuth implements RequestAuth {
  private readonly key: ApiKeyAuth;
  private readonly basic: HttpBasicAuth;

  constructor(apiKey: Secret, username: string, password: Secret) {
    this.key = new ApiKeyAuth({ apiKey, name: "apikey", location: "query" });
    this.basic = new HttpBasicAuth({ username, password });
  }

  apply(request: OutgoingRequest): void {
    this.key.apply(request);
    this.basic.apply(request);
  }
}
