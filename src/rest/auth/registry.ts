import type { ConfigResolver } from "../../config/index.js";
import type { RequestAuth } from "../../http/index.js";
import { ConfigError } from "../../util/errors.js";
import type { OptionKind } from "../paginators/registry.js";
import type { AuthConfig } from "../types.js";
import { ApiKeyAuth } from "./api-key.js";
import { BearerTokenAuth } from "./bearer.js";
import { HttpBasicAuth } from "./http-basic.js";
import { OAuth2ClientCredentialsAuth } from "./oauth2-client-credentials.js";
import { OAuth2RefreshTokenAuth, type OAuth2RefreshTokenOptions } from "./oauth2-refresh-token.js";
import type { OAuth2Options } from "./oauth2-token-auth.js";

/** `secret` options take a string or a `Secret`; either way they are scrubbed from all output. */
export type AuthOptionKind = OptionKind | "secret" | "date";

export interface AuthRegistration {
  create(options: Record<string, unknown>): RequestAuth;
  keys: Readonly<Record<string, AuthOptionKind>>;
  /** Looked up in config/secrets (`sources.<source>.<snake_case_key>`) when missing. */
  required: readonly string[];
}

const registry = new Map<string, AuthRegistration>();

/** dlt's `register_auth`: make `{ type: name, ...options }` usable as `auth`. */
export function registerAuth(type: string, registration: AuthRegistration): void {
  registry.set(type, registration);
}

export function authRegistration(type: string): AuthRegistration | undefined {
  return registry.get(type);
}

export function authTypes(): string[] {
  return [...registry.keys()];
}

const OAUTH_KEYS = {
  accessTokenUrl: "string",
  clientId: "secret",
  clientSecret: "secret",
  accessTokenRequestData: "object",
  defaultTokenExpiration: "number",
  clientAuthMethod: "string",
  refreshMargin: "number",
  onTokens: "function",
} as const;
const OAUTH_REQUIRED = ["accessTokenUrl", "clientId", "clientSecret"];

registerAuth("bearer", {
  create: (o) => new BearerTokenAuth(o as { token: string }),
  keys: { token: "secret" },
  required: ["token"],
});
registerAuth("api_key", {
  create: (o) => new ApiKeyAuth(o as { apiKey: string }),
  keys: { apiKey: "secret", name: "string", location: "string" },
  required: ["apiKey"],
});
registerAuth("http_basic", {
  create: (o) => new HttpBasicAuth(o as { username: string; password: string }),
  keys: { username: "string", password: "secret" },
  required: ["username", "password"],
});
registerAuth("oauth2_client_credentials", {
  create: (o) => new OAuth2ClientCredentialsAuth(o as unknown as OAuth2Options),
  keys: OAUTH_KEYS,
  required: OAUTH_REQUIRED,
});
registerAuth("oauth2_refresh_token", {
  create: (o) => new OAuth2RefreshTokenAuth(o as unknown as OAuth2RefreshTokenOptions),
  keys: { ...OAUTH_KEYS, refreshToken: "secret", accessToken: "secret", expiresAt: "date" },
  required: [...OAUTH_REQUIRED, "refreshToken"],
});

export function isRequestAuth(v: unknown): v is RequestAuth {
  return v !== null && typeof v === "object" && typeof (v as RequestAuth).apply === "function";
}

/** `{ type, ...options }` from any accepted form: a type name, `{ token }` (bearer) or a full object. */
export function authObject(config: Exclude<AuthConfig, RequestAuth>): { type: string } & Record<string, unknown> {
  if (typeof config === "string") return { type: config };
  const o = config as Record<string, unknown>;
  return typeof o.type === "string" ? (o as { type: string }) : { type: "bearer", ...o };
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A ready auth. Missing required fields are looked up like dlt's auth configspecs: under the
 * source's section (`[sources.<source>] token = ...` or `SOURCES__<SOURCE>__TOKEN`).
 */
export function createAuth(
  config: AuthConfig,
  where: string,
  resolver: ConfigResolver | undefined,
  sections: readonly string[],
): RequestAuth {
  if (isRequestAuth(config)) return config;
  const { type, ...given } = authObject(config);
  const reg = registry.get(type);
  if (!reg)
    throw new ConfigError(`${where}.type: unknown auth type ${type}`, {
      hint: `use one of ${authTypes().join(", ")} or registerAuth()`,
    });
  const options: Record<string, unknown> = { ...given };
  const missing: string[] = [];
  for (const key of reg.required) {
    if (options[key] !== undefined) continue;
    const found = resolver
      ? reg.keys[key] === "secret"
        ? resolver.secret(sections, snake(key))
        : resolver.string(sections, snake(key))
      : undefined;
    if (found === undefined) missing.push(key);
    else options[key] = found;
  }
  if (missing.length > 0) {
    const env = missing.map((k) => [...sections, snake(k)].join("__").toUpperCase()).join(", ");
    throw new ConfigError(`${where}: ${type} auth is missing ${missing.join(", ")}`, {
      hint: resolver
        ? `put it in the config, in .dlt/secrets.toml under [${sections.join(".")}] as ${missing.map(snake).join(", ")}, or set ${env}`
        : `pass it in code, or pass a resolver (ConfigResolver.fromCwd()) to read ${missing.map(snake).join(", ")} from .dlt/secrets.toml [${sections.join(".")}] or ${env}`,
    });
  }
  return reg.create(options);
}
