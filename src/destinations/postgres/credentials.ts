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

/**
 * A server that speaks the Postgres protocol with its own DSN scheme, default port and config
 * section: Postgres itself, or Redshift (`redshift://...:5439/db`, src/destinations/redshift/).
 */
export interface PgFlavour {
  /** In messages: "postgres", "redshift". */
  readonly name: string;
  /** The DSN scheme shown in locations: `postgresql`, `redshift`. */
  readonly scheme: string;
  readonly defaultPort: number;
  readonly hint: string;
}

export const POSTGRES_FLAVOUR: PgFlavour = {
  name: "postgres",
  scheme: "postgresql",
  defaultPort: 5432,
  hint: 'set DESTINATION__POSTGRES__CREDENTIALS="postgresql://user:password@host:5432/database", or host, port, username, password and database under [destination.postgres.credentials] in .dlt/secrets.toml',
};

/** dlt's displayable credentials: password masked, query dropped (`postgresql://loader:***@localhost:5432/db`). */
function display(
  f: PgFlavour,
  user: string | undefined,
  hasPassword: boolean,
  host: string,
  port: number,
  database: string,
): string {
  const auth = user ? `${encodeURIComponent(user)}${hasPassword ? ":***" : ""}@` : "";
  return `${f.scheme}://${auth}${host.includes(":") ? `[${host}]` : host}:${port}/${encodeURIComponent(database)}`;
}

function fromDsn(dsn: string, f: PgFlavour): Extract<PostgresTarget, { kind: "server" }> {
  const HINT = f.hint;
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new ConfigError(`the ${f.name} credentials are not a valid connection string`, { hint: HINT });
  }
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? new Secret(decodeURIComponent(url.password)) : undefined;
  const host = url.hostname.replace(/^\[|\]$/g, "") || "localhost";
  const port = url.port ? Number(url.port) : f.defaultPort;
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!database)
    throw new ConfigError(`${f.name} credentials ${display(f, user, !!password, host, port, "")} name no database`, {
      hint: HINT,
    });
  // The driver parses the full string itself (sslmode and other options included). It knows the
  // postgresql scheme and port 5432 only: another flavour's DSN gets that scheme and its own port.
  const asGiven = /^postgres(ql)?:\/\//i.test(dsn) && (url.port !== "" || port === 5432);
  const connectionString = asGiven ? dsn : pgDsn(url, port);
  return {
    kind: "server",
    display: display(f, user, !!password, host, port, database),
    config: () => ({ connectionString }),
  };
}

function pgDsn(url: URL, port: number): string {
  const u = new URL(`postgresql:${url.href.slice(url.protocol.length)}`);
  u.port = String(port);
  return u.href;
}

function fromFields(c: PostgresCredentials, f: PgFlavour): Extract<PostgresTarget, { kind: "server" }> {
  const HINT = f.hint;
  const host = c.host ?? "localhost";
  const port = c.port === undefined ? f.defaultPort : Number(c.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new ConfigError(`${f.name} credentials: port ${JSON.stringify(c.port)} is not a port number`, { hint: HINT });
  }
  if (!c.database) throw new ConfigError(`${f.name} credentials name no database`, { hint: HINT });
  const password = c.password === undefined ? undefined : Secret.from(c.password);
  return {
    kind: "server",
    display: display(f, c.username, !!password, host, port, c.database),
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
  const HINT = POSTGRES_FLAVOUR.hint;
  if (credentials === undefined) throw new ConfigError("the postgres destination has no credentials", { hint: HINT });
  if (typeof credentials === "string" || credentials instanceof Secret) {
    const s = reveal(credentials).trim();
    if (s.startsWith("pglite://")) return fromPglite(s);
    // fromDsn wraps the password in a Secret, which registers it for scrubbing everywhere.
    if (/^postgres(ql)?:\/\//i.test(s)) return fromDsn(s, POSTGRES_FLAVOUR);
    throw new ConfigError("the postgres credentials are neither a postgresql:// connection string nor pglite://", { hint: HINT });
  }
  return fromFields(credentials, POSTGRES_FLAVOUR);
}

/**
 * Credentials of another server on the Postgres protocol (`f.scheme://` or `postgresql://`, or
 * the fields) to a server target, shown with the flavour's scheme.
 */
export function resolvePgFlavourTarget(
  credentials: string | Secret | PostgresCredentials | undefined,
  f: PgFlavour,
): Extract<PostgresTarget, { kind: "server" }> {
  if (credentials === undefined) throw new ConfigError(`the ${f.name} destination has no credentials`, { hint: f.hint });
  if (typeof credentials === "string" || credentials instanceof Secret) {
    const s = reveal(credentials).trim();
    if (new RegExp(`^(${f.scheme}|postgres(ql)?)://`, "i").test(s)) return fromDsn(s, f);
    throw new ConfigError(`the ${f.name} credentials are not a ${f.scheme}:// connection string`, { hint: f.hint });
  }
  return fromFields(credentials, f);
}
