import { describe, expect, it } from "vitest";
import { incremental, resource } from "../../src/extract/index.js";
import type { ResourceContext } from "../../src/extract/index.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir();

/** A fake API: returns rows with updated_at >= since (inclusive, like Sage). */
function api(rows: Array<{ id: number; updated_at: string }>) {
  const calls: unknown[] = [];
  const r = resource(
    function* (ctx: ResourceContext) {
      const since = ctx.incremental?.startValue as string | undefined;
      calls.push(since);
      yield rows.filter((x) => since === undefined || x.updated_at >= since);
    },
    {
      name: "events",
      primaryKey: "id",
      incremental: incremental({ cursorPath: "updated_at", initialValue: "2024-01-01T00:00:00Z" }),
    },
  );
  return { r, calls };
}

describe("incremental loading", () => {
  it("loads only new rows, deduplicates rows at the boundary, and keeps the state small", async () => {
    const p = duckPipeline(dir);
    const rows = [
      { id: 1, updated_at: "2024-01-01T00:00:00Z" },
      { id: 2, updated_at: "2024-02-01T00:00:00Z" },
      { id: 3, updated_at: "2024-03-01T00:00:00Z" },
      { id: 4, updated_at: "2024-03-01T00:00:00Z" },
    ];
    const first = api(rows);
    await p.run(first.r);
    expect(await p.dataset().table("events").count()).toBe(4);
    const st = p.state.sources[p.pipelineName]!.resources!.events!.incremental!.updated_at!;
    expect(st.lastValue).toBe("2024-03-01T00:00:00Z");
    expect(st.boundaryKeys).toHaveLength(2); // only ids 3 and 4 share the last value

    // second run: the API returns the boundary rows again (inclusive filter) plus one new row
    rows.push({ id: 5, updated_at: "2024-03-01T00:00:00Z" }, { id: 6, updated_at: "2024-04-01T00:00:00Z" });
    const second = api(rows);
    const info = await p.run(second.r);
    expect(second.calls).toEqual(["2024-03-01T00:00:00Z"]);
    expect(info.rowCounts.events).toBe(2); // 5 and 6; 3 and 4 were deduplicated
    expect(await p.dataset().sql("select id from events order by id").rows()).toEqual([1, 2, 3, 4, 5, 6].map((id) => ({ id })));
    const st2 = p.state.sources[p.pipelineName]!.resources!.events!.incremental!.updated_at!;
    expect(st2.lastValue).toBe("2024-04-01T00:00:00Z");
    expect(st2.boundaryKeys).toHaveLength(1);

    // third run with nothing new loads nothing
    const third = await p.run(api(rows).r);
    expect(third.rowCounts.events ?? 0).toBe(0);

    // a full refresh forgets the cursor: everything is read again (and this resource appends)
    const full = api(rows);
    const refreshed = await p.run(full.r, { fullRefresh: true });
    expect(full.calls).toEqual(["2024-01-01T00:00:00Z"]);
    expect(refreshed.rowCounts.events).toBe(6);
  });

  it("drops rows outside [start, end) and leaves the state alone for a backfill with endValue", async () => {
    const p = duckPipeline(dir);
    const data = [5, 10, 15, 20, 25].map((n) => ({ id: n, n }));
    const backfill = resource(
      function* () {
        yield data;
      },
      {
        name: "nums",
        primaryKey: "id",
        incremental: incremental({ cursorPath: "n", initialValue: 10, endValue: 20 }),
      },
    );
    await p.run(backfill);
    expect(await p.dataset().sql("select n from nums order by n").rows()).toEqual([{ n: 10 }, { n: 15 }]);
    expect(p.state.sources[p.pipelineName]?.resources?.nums?.incremental).toBeUndefined();
  });

  it("lag re-reads a window behind the last value; rowOrder stops paging once out of range", async () => {
    const p = duckPipeline(dir);
    let pagesServed = 0;
    const pages = [
      [
        { id: 1, n: 1 },
        { id: 2, n: 2 },
      ],
      [{ id: 3, n: 30 }],
      [{ id: 4, n: 40 }],
    ];
    const r = () =>
      resource(
        function* () {
          for (const page of pages) {
            pagesServed++;
            yield page;
          }
        },
        {
          name: "sorted",
          primaryKey: "id",
          incremental: incremental({ cursorPath: "n", initialValue: 0, endValue: 10, rowOrder: "asc" }),
        },
      );
    await p.run(r());
    expect(pagesServed).toBe(2); // the second page proved the rest is past endValue
    expect(await p.dataset().table("sorted").count()).toBe(2);

    const q = duckPipeline(dir);
    const lagged = (rows: Array<{ id: number; n: number }>) =>
      resource(
        function* (ctx: ResourceContext) {
          yield rows.filter((x) => x.n >= (ctx.incremental!.startValue as number));
        },
        {
          name: "lagged",
          primaryKey: "id",
          writeDisposition: "merge",
          incremental: incremental({ cursorPath: "n", initialValue: 0, lag: 5 }),
        },
      );
    await q.run(
      lagged([
        { id: 1, n: 10 },
        { id: 2, n: 20 },
      ]),
    );
    const info = await q.run(
      lagged([
        { id: 1, n: 10 },
        { id: 2, n: 20 },
        { id: 3, n: 22 },
      ]),
    );
    expect(info.rowCounts.lagged).toBe(2); // n >= 20 - 5: ids 2 and 3 re-read; merge keeps them unique
    expect(await q.dataset().table("lagged").count()).toBe(3);
  });

  it("fails with the resource and path named when the cursor is missing", async () => {
    const p = duckPipeline(dir);
    const r = resource(
      function* () {
        yield [{ id: 1 }];
      },
      { name: "nocursor", incremental: incremental({ cursorPath: "meta.updated" }) },
    );
    await expect(p.run(r)).rejects.toThrow(/nocursor.*meta\.updated/);
  });
});
