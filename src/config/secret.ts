import { inspect } from "node:util";
import { registerSecret } from "../util/redact.js";

/**
 * A secret is a value type, not a string: it prints as `***` in every form (String(), JSON,
 * util.inspect, template literals) and only `reveal()` hands out the real value, at the one
 * place that must send it (an HTTP header, a driver's connect call).
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    registerSecret(value);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return "***";
  }

  toJSON(): string {
    return "***";
  }

  [inspect.custom](): string {
    return "Secret(***)";
  }

  static from(value: string | Secret): Secret;
  static from(value: string | Secret | undefined): Secret | undefined;
  static from(value: string | Secret | undefined): Secret | undefined {
    if (value === undefined) return undefined;
    return value instanceof Secret ? value : new Secret(value);
  }
}

export function reveal(value: string | Secret): string;
export function reveal(value: string | Secret | undefined): string | undefined;
export function reveal(value: string | Secret | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Secret) return value.reveal();
  return value;
}
