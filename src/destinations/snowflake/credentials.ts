import { Secret, reveal } from "../../config/secret.js";
import { ConfigError } from "../../util/errors.js";

/** `[destination.snowflake.credentials]`, dlt's names. */
export interface SnowflakeCredentials {
  database?: string | undefined;
  username?: string | undefined;
  password?: string | Secret | undefined;
  /** The account identifier (dlt calls it host). */
  host?: string | undefined;
  warehouse?: string | undefined;
  role?: string | undefined;
  private_key?: string | Secret | undefined;
  private_key_passphrase?: string | Secret | undefined;
}

export const SNOWFLAKE_HINT =
  'set DESTINATION__SNOWFLAKE__CREDENTIALS="snowflake://user:password@account/database?warehouse=...&role=...", or database, username, password (or private_key), host, warehouse and role under [destination.snowflake.credentials] in .dlt/secrets.toml';

/** What the SDK's `createConnection` is given (secrets revealed only when connecting). */
export interface SnowflakeTarget {
  account: string;
  username: string;
  database: string;
  warehouse?: string | undefined;
  role?: string | undefined;
  password?: Secret | undefined;
  privateKey?: Secret | undefined;
  privateKeyPassphrase?: Secret | undefined;
  /** `snowflake://loader:***@account/database?warehouse=...`, for messages and `location()`. */
  display: string;
}

/** `snowflake://user:password@account/database?warehouse=...&role=...` into the fields. */
export function parseSnowflakeUrl(url: string): SnowflakeCredentials {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError("the snowflake credentials string is not a URL", { hint: SNOWFLAKE_HINT });
  }
  if (u.protocol !== "snowflake:") {
    throw new ConfigError(`the snowflake credentials string starts with ${u.protocol}//, not snowflake://`, {
      hint: SNOWFLAKE_HINT,
    });
  }
  const q = u.searchParams;
  const opt = (k: string) => q.get(k) ?? undefined;
  const password = u.password ? Secret.from(decodeURIComponent(u.password)) : undefined;
  const key = opt("private_key");
  const pass = opt("private_key_passphrase");
  return {
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password,
    host: u.hostname || undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || undefined,
    warehouse: opt("warehouse"),
    role: opt("role"),
    private_key: key === undefined ? undefined : Secret.from(key),
    private_key_passphrase: pass === undefined ? undefined : Secret.from(pass),
  };
}

function secretOf(v: string | Secret | undefined): Secret | undefined {
  return v === undefined ? undefined : Secret.from(reveal(v));
}

/** Checks the credentials once, when the destination is made: every missing field in one error. */
export function snowflakeTarget(credentials: string | Secret | SnowflakeCredentials | undefined): SnowflakeTarget {
  const c: SnowflakeCredentials =
    credentials === undefined
      ? {}
      : typeof credentials === "string" || credentials instanceof Secret
        ? parseSnowflakeUrl(reveal(credentials))
        : credentials;
  const missing = (["host", "username", "database"] as const).filter((k) => !c[k]);
  if (c.password === undefined && c.private_key === undefined) missing.push("password" as never);
  if (missing.length > 0) {
    throw new ConfigError(
      `the snowflake credentials lack ${missing.join(", ")}${missing.includes("password" as never) ? " (or private_key)" : ""}`,
      { hint: SNOWFLAKE_HINT },
    );
  }
  const params = [c.warehouse ? `warehouse=${c.warehouse}` : "", c.role ? `role=${c.role}` : ""].filter(Boolean).join("&");
  return {
    account: c.host!,
    username: c.username!,
    database: c.database!,
    warehouse: c.warehouse,
    role: c.role,
    password: secretOf(c.password),
    privateKey: secretOf(c.private_key),
    privateKeyPassphrase: secretOf(c.private_key_passphrase),
    display: `snowflake://${encodeURIComponent(c.username!)}:***@${c.host}/${c.database}${params ? `?${params}` : ""}`,
  };
}
