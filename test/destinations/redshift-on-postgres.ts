import { gunzipSync } from "node:zlib";
import type { ConnectOptions, DestinationClient } from "../../src/destinations/destination.js";
import { sessionSetupSql } from "../../src/destinations/postgres/pg-values.js";
import type { PgSession } from "../../src/destinations/postgres/session.js";
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

const COPY_FROM_MANIFEST = /^COPY (\S+) \(([^)]*)\) FROM '([^']+)' .* MANIFEST .*GZIP$/s;

/**
 * TEST MODE ONLY: Redshift's `COPY <target> (<columns>) FROM '<manifest>' ... MANIFEST FORMAT AS
 * JSON 'auto' ... GZIP` played on the Postgres stand-in, which has no COPY from S3. Every other
 * statement goes to Postgres unchanged. The stand-in reads the manifest and each object it names
 * (`mandatory`: a missing one fails) from the bucket through `read` (s3rver in the tests), gunzips
 * the lines and inserts them with `jsonb_populate_recordset` over the target's row type: JSON keys
 * to the lower-case column names, as JSON 'auto' maps them. What it proves: what the destination
 * staged (keys, manifest, the rewritten rows) and that the package commits through it, with
 * cleanup and reruns. What it cannot: Redshift's own COPY (its JSON parsing, DATEFORMAT and
 * TIMEFORMAT 'auto', SUPER, its access checks and error texts); those stay on the README list.
 */
export function withCopyFromS3(destination: RedshiftDestination, read: (uri: string) => Promise<Buffer>): RedshiftDestination {
  return Object.assign(Object.create(destination) as RedshiftDestination, {
    async connect(o: ConnectOptions): Promise<DestinationClient> {
      const client = await destination.connect(o);
      // The shared SQL client's session (a protected field): the one the dialect's COPY runs on.
      const conn = (client as unknown as { conn: PgSession }).conn;
      const execute = conn.execute.bind(conn);
      conn.execute = async (sql, params) => {
        const m = COPY_FROM_MANIFEST.exec(sql);
        if (!m) return execute(sql, params);
        const [, target, columns, manifestUri] = m as unknown as [string, string, string, string];
        const manifest = JSON.parse((await read(manifestUri)).toString("utf8")) as {
          entries: { url: string; mandatory: boolean }[];
        };
        const rows: unknown[] = [];
        for (const e of manifest.entries) {
          for (const line of gunzipSync(await read(e.url))
            .toString("utf8")
            .split("\n")) {
            if (line !== "") rows.push(JSON.parse(line));
          }
        }
        await execute(
          `INSERT INTO ${target} (${columns}) SELECT ${columns} FROM jsonb_populate_recordset(NULL::${target}, $1::jsonb)`,
          [JSON.stringify(rows)],
        );
      };
      return client;
    },
  });
}
