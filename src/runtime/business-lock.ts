import pg from "pg";
import type { Secret } from "../config/index.js";
import { TransientError } from "../util/errors.js";

/**
 * One job per business at a time across all workers: a session advisory lock in the queue's
 * database, held on its own connection for the whole job. A worker killed with SIGKILL loses its
 * connection and with it the lock, at once; a live worker whose lease lapsed (a job longer than
 * `job_lease_seconds`) still holds it, so the job handed to another worker fails its attempt
 * and is retried later instead of loading the same business twice at once.
 */
export class BusinessLock {
  private constructor(private readonly client: pg.Client) {}

  static async acquire(url: Secret, schema: string, login: string, businessId: string): Promise<BusinessLock> {
    const client = new pg.Client({ connectionString: url.reveal(), application_name: "sage-pipeline business lock" });
    await client.connect();
    try {
      const key = `${schema}|${login}|${businessId}`;
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok", [key]);
      if (rows[0]?.ok !== true) {
        throw new TransientError(`business ${businessId} is being loaded by another worker right now`, {
          hint: "its job outlived its lease: raise [runtime] job_lease_seconds above the longest job; this attempt is retried",
        });
      }
      return new BusinessLock(client);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  async release(): Promise<void> {
    // Ending the session releases the lock.
    await this.client.end().catch(() => undefined);
  }
}
