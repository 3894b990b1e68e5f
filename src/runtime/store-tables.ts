import pg from "pg";
import type { Secret } from "../config/index.js";

function q(schema: string): string {
  return `"${schema.replace(/"/g, '""')}"`;
}

/**
 * The workers' own tables beside pg-boss's, in the queue schema: the worker registry, the
 * shared limiter's slots, day counts and back-off, each business's failures in a row (alerts), the
 * shared pacing windows (Sage One ZA) and the shared token store.
 */
function tablesDdl(schema: string): string[] {
  const s = q(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.sp_workers (id text PRIMARY KEY, destination text NOT NULL, single_writer boolean NOT NULL, seen_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE IF NOT EXISTS ${s}.sp_slots (slot integer PRIMARY KEY, holder text, lease_until timestamptz)`,
    `CREATE TABLE IF NOT EXISTS ${s}.sp_budget (day date PRIMARY KEY, used bigint NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${s}.sp_backoff (id integer PRIMARY KEY, allowance_at_cut double precision NOT NULL, last_cut_at timestamptz NOT NULL)`,
    `INSERT INTO ${s}.sp_backoff VALUES (1, 1, 'epoch') ON CONFLICT (id) DO NOTHING`,
    `CREATE TABLE IF NOT EXISTS ${s}.sp_failure_streaks (login text NOT NULL, business_id text NOT NULL, failures integer NOT NULL, last_error text, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (login, business_id))`,
    `CREATE TABLE IF NOT EXISTS ${s}.sp_pace (key text PRIMARY KEY, starts timestamptz[] NOT NULL, granted text NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${s}.sp_tokens (login text PRIMARY KEY, access_token text, refresh_token text NOT NULL, expires_at timestamptz, refreshes integer NOT NULL DEFAULT 0, refreshed_at timestamptz)`,
  ];
}

/**
 * Create the tables once, in one transaction under an advisory lock: two workers starting
 * together would otherwise race on CREATE TABLE IF NOT EXISTS (a duplicate-type error).
 */
export async function installStoreTables(url: Secret, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url.reveal(), application_name: "sage-pipeline install" });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`${schema}|install`]);
    for (const sql of tablesDdl(schema)) await client.query(sql);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}
