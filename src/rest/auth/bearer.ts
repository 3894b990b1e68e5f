import { Secret } from "../../config/index.js";
import type { OutgoingRequest, RequestAuth } from "../../http/index.js";

/** `bearer`: `Authorization: Bearer <token>`. */
export class BearerTokenAuth implements RequestAuth {
  private readonly token: Secret;

  constructor(options: { token: string | Secret }) {
    this.token = Secret.from(options.token);
  }

  apply(request: OutgoingRequest): void {
    request.headers.authorization = `Bearer ${this.token.reveal()}`;
  }
}
