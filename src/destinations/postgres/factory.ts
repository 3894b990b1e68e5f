import type { ConfigResolver } from "../../config/resolver.js";
import type { Secret } from "../../config/secret.js";
import { identifierLength } from "../../normalize/naming.js";
import { ConfigError } from "../../util/errors.js";
import {
  type Capabilities,
  CapabilitiesBase,
  type ConnectOptions,
  type Destination,
  type DestinationClient,
} from "../destination.js";
import { SqlJobClient } from "../sql/job-client.js";
import { PgConnection } from "./connection.js";
import { type PostgresCredentials, type PostgresTarget, resolvePostgresTarget } from "./credentials.js";
import { refuseReservedDataset } from "../dataset-name.js";
import { POSTGRES_RESERVED_SCHEMAS, postgresDialect } from "./dialect.js";
import { type PgliteLike, PgliteConnection, sharedPglite } from "./pglite-connection.js";
import type { PgSession } from "./session.js";
import type { QueryOptions, QuerySession } from "../query-session.js";
import { PgQuerySession } from "./query-session.js";
import { POSTGRES_SPEC } from "./spec.js";

export interface PostgresOptions {
  /**
   * `postgresql://user:password@host:5432/database`, the same as fields, or `pglite://<dir>` /
   * `pglite://memory` to load into PGlite (Postgres in this process, no server needed).
   */
  credentials?: string | Secret | PostgresCredentials;
  /** An open PGlite database to load into; it stays open (the caller owns it). Overrides credentials. */
  pglite?: PgliteLike;
}

/** Postgres limits identifiers to 63 bytes (NAMEDATALEN - 1); longer ones are silently cut. */
const POSTGRES_MAX_IDENTIFIER_BYTES = 63;

class PostgresCapabilities extends CapabilitiesBase {
  override readonly maxIdentifierLength = POSTGRES_MAX_IDENTIFIER_BYTES;
  // Normalize writes COPY text: it streams to the server as it is.
  override readonly loaderFileFormat = "copy_text";
}

export const POSTGRES_CAPABILITIES: Capabilities = new PostgresCapabilities();

export class PostgresDestination implements Destination {
  readonly name = "postgres";
  readonly capabilities = POSTGRES_CAPABILITIES;
  private target: PostgresTarget | undefined;

  constructor(private readonly options: PostgresOptions = {}) {
    // Fail on bad credentials when the destination is made, not halfway through a run.
    if (!options.pglite) this.target = resolvePostgresTarget(options.credentials);
  }

  /** The redacted location: `postgresql://loader:***@localhost:5432/db`, `pglite://memory`. */
  location(_o?: ConnectOptions): string {
    return this.target?.display ?? "pglite://(instance)";
  }

  private async session(searchPath: string): Promise<PgSession> {
    if (this.options.pglite) return PgliteConnection.open(this.options.pglite, searchPath);
    const t = this.target!;
    if (t.kind === "pglite") return PgliteConnection.open(await sharedPglite(t.dataDir, t.key), searchPath);
    return PgConnection.open(t.config(), t.display, searchPath);
  }

  private checkDatasetName(o: ConnectOptions): void {
    refuseReservedDataset("Postgres", o.datasetName, POSTGRES_RESERVED_SCHEMAS);
    if (identifierLength(o.datasetName) > POSTGRES_MAX_IDENTIFIER_BYTES) {
      throw new ConfigError(`dataset name ${o.datasetName} is longer than Postgres' 63 bytes (it becomes a schema name)`, {
        hint: "pass a shorter datasetName",
      });
    }
  }

  async connect(o: ConnectOptions): Promise<DestinationClient> {
    this.checkDatasetName(o);
    const conn = await this.session(postgresDialect.quote(o.datasetName));
    return new SqlJobClient(o.datasetName, conn, postgresDialect);
  }

  async openQuerySession(o: QueryOptions): Promise<QuerySession> {
    this.checkDatasetName(o);
    const conn = await this.session(postgresDialect.quote(o.datasetName));
    try {
      return await PgQuerySession.open(o.datasetName, conn, o);
    } catch (err) {
      await conn.close();
      throw err;
    }
  }
}

/** The Postgres destination: `pipeline({ destination: postgres({ credentials: "postgresql://..." }) })`. */
export function postgres(options?: PostgresOptions): PostgresDestination {
  return new PostgresDestination(options);
}

/** `[destination.postgres] credentials` (POSTGRES_SPEC): one string or fields, also split over providers. */
export function destinationFromConfig(config: ConfigResolver): PostgresDestination {
  const c = config.resolve(POSTGRES_SPEC).values.credentials;
  if (c === undefined) return postgres({});
  // A connection string stays whole (a Secret: its password never prints); PostgresDestination
  // reads it as the driver would.
  if (c.connectionString !== undefined) return postgres({ credentials: c.connectionString });
  return postgres({
    credentials: {
      host: c.host,
      port: c.port,
      username: c.username,
      password: c.password,
      database: c.database,
      sslmode: c.sslmode,
    },
  });
}
