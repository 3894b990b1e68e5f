import { Secret } from "../../config/index.js";
import type { OutgoingRequest, RequestAuth } from "../../http/index.js";
import { registerSecret } from "../../util/redact.js";

/** `http_basic`: `Authorization: Basic base64(username:password)`. */
export class HttpBasicAuth implements RequestAuth {
  private readonly header: Secret;

  constructor(options: { username: string; password: string | Secret }) {
    const password = Secret.from(options.password);
    const encoded = Buffer.from(`${options.username}:${password.reveal()}`).toString("base64");
    // The encoded pair is as secret as the password: scrub it wherever it might show up.
    registerSecret(encoded);
    this.header = new Secret(`Basic ${encoded}`);
  }

  apply(request: OutgoingRequest): void {
    request.headers.authorization = this.header.reveal();
  }
}
