import { resolve } from "node:path";
import type { ClientConfig } from "pg";
import { Secret, reveal } from "../../config/secret.js";
import { ConfigError } from "../../util/errors.js";

/** `[destination.postgres.credentials]` as fields (dlt's names). */
export interface PostgresCredentials {
  host?: string;
  port?: number | string;
  username?: string;
  password?: string | Secret;
  database?: string;
  /** `disable` | `prefer` | `require` | `verify-ca` | `verify-full`, passed to the driver. */
  sslmode?: string;
}

/** Where to connect: a server through `pg`, or PGlite in this process. */
export type PostgresTarget =
  | { kind: "server"; display: string; config: () => ClientConfig }
  | { kind: "pglite"; display: string; dataDir: string | undefined; key: string };

const HINT =
  'set DESTINATION__POSTGRES__CREDENTIALS="postgresql://user:password@host:5432/database", or host, port, username, password and database under [destination.postgres.credentials] in .dlt/secrets.toml';

/** dlt's displayable credentials: password masked, query dropped (`postgresql://loader:***@localhost:5432/db`). */
function display(user: string | undefined, hasPassword: boolean, host: string, port: number, database: string): string {
  const auth = user ? `${encodeURIComponent(user)}${hasPassword ? ":***" : ""}@` : "";
  return `postgresql://${auth}${host.includes(":") ? `[${host}]` : host}:${port}/${encodeURIComponent(database)}`;
}

function fromDsn(dsn: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new ConfigError("the postgres credentials are not a valid connection string", { hint: HINT });
  }
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? new Secret(decodeURIComponent(url.password)) : undefined;
  const host = url.hostname.replace(/^\[|\]$/g, "") || "localhost";
  const port = url.port ? Number(url.port) : 5432;
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!database)
    throw new ConfigError(`postgres credentials ${display(user, !!password, host, port, "")} name no database`, { hint: HINT });
  return {
    kind: "server",
    display: display(user, !!password, host, port, database),
    // The driver parses the full string itself (sslmode and other options included).
    config: () => ({ connectionString: dsn }),
  };
}

function fromFields(c: PostgresCredentials): PostgresTarget {
  const host = c.host ?? "localhost";
  const port = c.port === undefined ? 5432 : Number(c.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new ConfigError(`postgres credentials: port ${JSON.stringify(c.port)} is not a port number`, { hint: HINT });
  }
  if (!c.database) throw new ConfigError("postgres credentials name no database", { hint: HINT });
  const password = c.password === undefined ? undefined : Secret.from(c.password);
  return {
    kind: "server",
    display: display(c.username, !!password, host, port, c.database),
    config: () => ({
      host,
      port,
      database: c.database,
      ...(c.username ? { user: c.username } : {}),
      ...(password ? { password: reveal(password) } : {}),
      ...(c.sslmode && c.sslmode !== "disable" && c.sslmode !== "prefer"
        ? { ssl: c.sslmode === "require" ? { rejectUnauthorized: false } : true }
        : {}),
    }),
  };
}

/**
 * `pglite://memory`, `pglite://memory:<name>` (a separate in-memory database), `pglite:///abs/dir`
 * or `pglite://relative/dir` (resolved from the current directory).
 */
function fromPglite(spec: string): PostgresTarget {
  const rest = spec.slice("pglite://".length);
  if (rest === "" || rest === "memory" || rest.startsWith("memory:")) {
    const name = rest.startsWith("memory:") ? rest.slice("memory:".length) : "";
    return { kind: "pglite", display: `pglite://memory${name ? `:${name}` : ""}`, dataDir: undefined, key: `memory:${name}` };
  }
  const dir = resolve(rest);
  return { kind: "pglite", display: `pglite://${dir}`, dataDir: dir, key: `dir:${dir}` };
}

/** Credentials in any of their forms to a connection target; the password stays a Secret. */
export function resolvePostgresTarget(credentials: string | Secret | PostgresCredentials | undefined): PostgresTarget {
  if (credentials === undefined) throw new ConfigError("the postgres destination has no credentials", { hint: HINT });
  if (typeof credentials === "string" || credentials instanceof Secret) {
    const s = reveal(credentials).trim();
    if (s.startsWith("pglite://")) return fromPglite(s);
    // fromDsn wraps the password in a Secret, which registers it for scrubbing everywhere.
    if (/^postgres(ql)?:\/\//i.test(s)) return fromDsn(s);
    throw new ConfigError("the postgres credentials are neither a postgresql:// connection string nor pglite://", { hint: HINT });
  }
  return fromFields(credentials);
}
