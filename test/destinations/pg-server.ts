import pg from "pg";

/** The test server: `PG_URL`, or the local one (trust auth, user postgres, database test). */
export const PG_URL = process.env.PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

/** Undefined when the server answers, else why the server tests are skipped. */
export async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (err) {
    const shown = PG_URL.replace(/:[^:@/]*@/, ":***@");
    return `no Postgres server at ${shown} (${(err as Error).message}); start one or set PG_URL — the PGlite suite covers the dialect meanwhile`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function withServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(name: string): Promise<void> {
  await withServer((c) => c.query(`DROP SCHEMA IF EXISTS "${name.replace(/"/g, '""')}" CASCADE`));
}
