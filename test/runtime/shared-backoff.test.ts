import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/index.js";
import { HttpClient, setSharedLimit } from "../../src/http/index.js";
import { PostgresSharedLimiter } from "../../src/runtime/index.js";
import { installStoreTables } from "../../src/runtime/store-tables.js";
import { countRequests, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { PG_URL, dropSchema, probePostgres, uniqueName } from "./runtime-helpers.js";

const skip = await probePostgres();
const CAP = 8;

/**
 * The 429 back-off is shared: two workers' limiters on one store (each with its own connections, as
 * two processes would have). Worker A's request is answered 429 by the sandbox; worker B, which
 * saw no 429 at all, may then have only half the app's slots in flight, and a second 429 of a
 * request A started before the cut is the same overload and does not halve again. Recovery is
 * slowed to a step a minute so that the readings do not depend on the machine's speed.
 */
describe.skipIf(skip !== undefined)(`the shared 429 back-off${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const schema = uniqueName("scale_backoff");
  const pools: pg.Pool[] = [];
  let sb: Sandbox;

  const limiter = async (holder: string) => {
    // A pool per worker, as the queue's own (the fire-and-forget release and cut run beside acquires).
    const c = new pg.Pool({ connectionString: PG_URL, max: 4 });
    pools.push(c);
    const l = new PostgresSharedLimiter({
      query: async <R>(sql: string, values?: unknown[]) => (await c.query(sql, values)).rows as R[],
      schema,
      holder,
      maxConcurrency: CAP,
      dailyBudget: 1_000_000,
      slotLeaseSeconds: 60,
      recoveryIntervalSeconds: 60,
    });
    await l.install();
    return l;
  };

  beforeAll(async () => {
    await installStoreTables(new Secret(PG_URL), schema);
    sb = await startSandbox({ port: 0, businesses: 1, scale: 0.01, seed: 5 });
  });
  afterAll(async () => {
    await sb.close();
    for (const p of pools) await p.end();
    await dropSchema(schema);
  });

  it("one worker's 429 lowers every worker's allowance, once per round", async () => {
    const a = await limiter("worker-a");
    const b = await limiter("worker-b");
    expect(await b.readAllowance()).toBe(CAP);

    // Worker A's HTTP client, with A's shared limit installed (as run-worker does), meets a 429.
    const early = await a.acquire("sandbox");
    sb.setFaults({ rules: [{ fault: 429, path: "/contacts", times: 1 }] });
    const token = sb.issueTokens("readonly").access_token;
    const http = new HttpClient({ retry: { requestMaxAttempts: 1 } });
    setSharedLimit(a);
    const res = await http
      .request({ method: "GET", url: `${sb.apiBaseUrl}/contacts`, headers: { authorization: `Bearer ${token}` } })
      .catch((err: unknown) => err)
      .finally(() => {
        setSharedLimit(undefined);
      });
    expect(countRequests(sb.stats, { path: "/v3.1/contacts", status: 429 })).toBe(1);
    expect(res).toBeInstanceOf(Error);

    // The cut is written without waiting for it (the request path never waits on the store): poll.
    const t0 = Date.now();
    while ((await b.readAllowance()) === CAP && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(await b.readAllowance()).toBe(CAP / 2);
    // B can take no more than that: four slots now, the fifth waits.
    const taken = [];
    for (let i = 0; i < CAP / 2 - 1; i++) taken.push(await b.acquire("sandbox"));
    const stuck = new AbortController();
    const fifth = b.acquire("sandbox", stuck.signal).then(
      () => "acquired",
      () => "waited",
    );
    await new Promise((r) => setTimeout(r, 300));
    stuck.abort(new Error("stop waiting"));
    // (A still holds its early slot: 3 of B's + A's 1 = the allowance of 4.)
    expect(await fifth).toBe("waited");

    // A request that started before the cut reports its 429 too: the same overload, no second cut.
    early.onResponse(429);
    await new Promise((r) => setTimeout(r, 200));
    expect(await b.readAllowance()).toBe(CAP / 2);
    // A new request's 429 (B's this time) is a new round: halved again, for A as well, never below the floor.
    for (const t of taken) t.release();
    const late = await b.acquire("sandbox");
    late.onResponse(429);
    const t1 = Date.now();
    while ((await a.readAllowance()) === CAP / 2 && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(await a.readAllowance()).toBe(CAP / 4);
    for (const t of [early, late]) t.release();
  }, 30_000);
});
