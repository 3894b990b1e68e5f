import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/index.js";
import { HostLimiter, setSharedPacer } from "../../src/http/index.js";
import { PostgresSharedPacer } from "../../src/runtime/index.js";
import { installStoreTables } from "../../src/runtime/store-tables.js";
import { PG_URL, dropSchema, probePostgres, uniqueName } from "./runtime-helpers.js";

const skip = await probePostgres();

/** The most starts in any window of `periodMs` (starts sorted). */
function peak(starts: number[], periodMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while ((starts[i] as number) - (starts[j] as number) >= periodMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/**
 * Pacing shared through the store: two workers (each its own pool, as two processes) pace the
 * same key. Each alone keeps its rate; together they must keep it too, which a per-process window
 * would not (each would send its full rate, twice the allowed). Short windows keep the test quick;
 * the windows are those of the ZA source (a per-second and a per-minute one), just scaled down.
 */
describe.skipIf(skip !== undefined)(`shared pacing across workers${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const schema = uniqueName("scale_pace");
  const pools: pg.Pool[] = [];

  const pacer = () => {
    const p = new pg.Pool({ connectionString: PG_URL, max: 4 });
    pools.push(p);
    return new PostgresSharedPacer(
      async <R>(sql: string, values?: unknown[]) => (await p.query(sql, values)).rows as R[],
      schema,
    );
  };
  const starts = async (key: string) => {
    const { rows } = await pools[0]!.query<{ starts: Date[] }>(`SELECT starts FROM "${schema}".sp_pace WHERE key = $1`, [key]);
    return (rows[0]?.starts ?? []).map((d) => d.getTime()).sort((a, b) => a - b);
  };

  beforeAll(async () => {
    await installStoreTables(new Secret(PG_URL), schema);
  });
  afterAll(async () => {
    for (const p of pools) await p.end();
    await dropSchema(schema);
  });

  it("two workers pacing one company together stay within its windows", async () => {
    const a = pacer();
    const b = pacer();
    const windows = [
      { count: 3, periodMs: 400 },
      { count: 10, periodMs: 4000 },
    ];
    const key = "sageone-za:test:31123";
    const granted: number[] = [];
    const ask = (p: PostgresSharedPacer) =>
      p.pace(key, windows).then(() => {
        granted.push(Date.now());
      });
    // Each worker wants 6 requests at once: 12 in all, more than the 10 a period allows.
    await Promise.all([...Array.from({ length: 6 }, () => ask(a)), ...Array.from({ length: 6 }, () => ask(b))]);
    expect(granted).toHaveLength(12);
    const s = await starts(key);
    expect(s).toHaveLength(12);
    expect(peak(s, 400)).toBeLessThanOrEqual(3);
    expect(peak(s, 4000)).toBeLessThanOrEqual(10);
    // The eleventh start had to wait for the first to leave the 4 s window.
    expect((s[10] as number) - (s[0] as number)).toBeGreaterThanOrEqual(4000);
    // Another key (another company) is paced on its own: no wait.
    const t0 = Date.now();
    await b.pace("sageone-za:test:99", windows);
    expect(await starts("sageone-za:test:99")).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(3000);
  }, 30_000);

  it("a limiter with a shared pace key asks the installed pacer, with its own rates as windows", async () => {
    const seen: Array<{ key: string; windows: unknown }> = [];
    setSharedPacer({
      pace: (k, w) => {
        seen.push({ key: k, windows: w });
        return Promise.resolve();
      },
    });
    const paced = new HostLimiter("za", { requestsPerSecond: 1, requestsPerMinute: 90, sharedPaceKey: "za:1" });
    const unpaced = new HostLimiter("v3", { requestsPerSecond: 5 });
    setSharedPacer(undefined);
    (await paced.acquire()).release();
    (await unpaced.acquire()).release();
    expect(seen).toEqual([
      {
        key: "za:1",
        windows: [
          { count: 1, periodMs: 1000 },
          { count: 90, periodMs: 60_000 },
        ],
      },
    ]);
  });
});
