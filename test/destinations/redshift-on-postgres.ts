import { sessionSetupSql } from "../../src/destinations/postgres/pg-values.js";
import { RedshiftDestination, type RedshiftEngine, type RedshiftOptions } from "../../src/destinations/redshift/index.js";

/**
 * TEST MODE ONLY: the Redshift destination's SQL run on a local Postgres server, which is as close
 * to Redshift as this machine gets. Everything is the Redshift dialect (types, quoting, literals,
 * the multi-row INSERTs, the merge SQL without DELETE aliases, ADD COLUMN without IF NOT EXISTS)
 * except what Postgres lacks:
 * * SUPER is jsonb here and `JSON_PARSE(x)` is `CAST(x AS jsonb)`; VARBYTE is bytea and
 *   `FROM_HEX(x)` is `decode(x, 'hex')`.
 * * The session turns `standard_conforming_strings` off, so a backslash in '...' escapes as it
 *   does on Redshift, and runs SERIALIZABLE, as Redshift runs every transaction.
 * What this cannot prove is listed in README ("Redshift") and DEVELOPERS ("Redshift on Postgres").
 */
export const REDSHIFT_ON_POSTGRES_TEST_ENGINE: RedshiftEngine = {
  label: "Postgres (standing in for Redshift in the tests)",
  types: {
    json: "jsonb",
    binary: "bytea",
    spelling: { json: (q) => `CAST(${q} AS jsonb)`, binary: (q) => `decode(${q}, 'hex')` },
  },
  sessionSetup: (searchPath) => [
    ...sessionSetupSql(searchPath),
    "SET standard_conforming_strings = off",
    "SET escape_string_warning = off",
    "SET default_transaction_isolation = 'serializable'",
  ],
};

/** A Redshift destination whose SQL runs on the local Postgres server (test mode). */
export function redshiftOnPostgres(options: RedshiftOptions): RedshiftDestination {
  return new RedshiftDestination(options, REDSHIFT_ON_POSTGRES_TEST_ENGINE);
}
