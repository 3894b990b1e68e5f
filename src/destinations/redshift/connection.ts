import type { ClientConfig } from "pg";
import { PgConnection } from "../postgres/connection.js";
import type { PgSession } from "../postgres/session.js";
import { REDSHIFT_TYPES, type RedshiftTypes } from "./dialect.js";

/**
 * The engine behind the Redshift destination: Redshift itself, or (in the tests only) a Postgres
 * server running the Redshift dialect's SQL (test/destinations/redshift-on-postgres.ts).
 */
export interface RedshiftEngine {
  readonly label: string;
  readonly types: RedshiftTypes;
  /** Statements every session runs first. */
  sessionSetup(searchPath: string): string[];
}

export const REDSHIFT_HINT =
  'set DESTINATION__REDSHIFT__CREDENTIALS="redshift://user:password@cluster.region.redshift.amazonaws.com:5439/database", or host, port, username, password and database under [destination.redshift.credentials] in .dlt/secrets.toml';

export const REDSHIFT_ENGINE: RedshiftEngine = {
  label: "Redshift",
  types: REDSHIFT_TYPES,
  // UTC and ISO dates as on Postgres; Redshift has no bytea_output. extra_float_digits 2 (its
  // maximum) prints a double with 17 digits, which reads back to the same double.
  sessionSetup: (searchPath) => [
    "SET timezone TO 'UTC'",
    "SET datestyle TO 'ISO, YMD'",
    "SET extra_float_digits TO 2",
    `SET search_path TO ${searchPath}`,
  ],
};

/** A `pg` session on the cluster, through the Postgres destination's connection. */
export function openRedshiftSession(
  engine: RedshiftEngine,
  config: ClientConfig,
  display: string,
  searchPath: string,
): Promise<PgSession> {
  return PgConnection.open(config, display, searchPath, {
    label: engine.label,
    hint: `check that the cluster is reachable and the credentials are right (${REDSHIFT_HINT})`,
    setup: engine.sessionSetup(searchPath),
  });
}
