import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { type RuntimeEnv, cli, dropSchemas, probePostgres, runtimeEnv } from "./runtime-helpers.js";

const skip = await probePostgres();

/** Schedules live in the queue engine: add, list, replace and remove them through the CLI. */
describe.skipIf(skip !== undefined)(`sage-pipeline schedule${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let sb: Sandbox;
  let r: RuntimeEnv;

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 1, scale: 0.01, seed: 3 });
    r = runtimeEnv(sb);
  });
  afterAll(async () => {
    await sb.close();
    await dropSchemas(r.queueSchema, r.dataset);
  });

  it("adds, lists, replaces and removes schedules; a bad cron or an unknown name is exit 2", async () => {
    const add = await cli(["schedule", "add", "hourly", "--cron", "0 * * * *"], r);
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).toContain("schedule hourly added: 0 * * * *");
    expect((await cli(["schedule", "add", "nightly", "--cron", "30 2 * * *", "--businesses", "abc,def"], r)).status).toBe(0);
    expect((await cli(["schedule", "add", "hourly", "--cron", "15 * * * *"], r)).status).toBe(0);

    const list = await cli(["schedule", "list", "--json"], r);
    expect(list.status, list.stderr).toBe(0);
    const all = JSON.parse(list.stdout) as Array<{
      name: string;
      cron: string;
      data: { businesses?: string[]; datasetName: string };
    }>;
    expect(all.map((s) => [s.name, s.cron])).toEqual([
      ["hourly", "15 * * * *"],
      ["nightly", "30 2 * * *"],
    ]);
    expect(all[1]?.data.businesses).toEqual(["abc", "def"]);
    expect(all[0]?.data.datasetName).toBe(r.dataset);

    const bad = await cli(["schedule", "add", "broken", "--cron", "every hour"], r);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("is not a cron expression");

    expect((await cli(["schedule", "remove", "nightly"], r)).status).toBe(0);
    const gone = await cli(["schedule", "remove", "nightly"], r);
    expect(gone.status).toBe(2);
    expect(gone.stderr).toContain("no schedule named nightly");
    expect((await cli(["schedule", "list"], r)).stdout).toMatch(/^hourly {2}15 \* \* \* \* {2}all businesses/m);
  }, 60_000);
});
