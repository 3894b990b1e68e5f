import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { incremental, resource } from "../../src/extract/index.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir();

describe("state lives with the data", () => {
  it("restores state and schema from the destination when the working dir is gone", async () => {
    const make = () =>
      resource(
        function* (ctx) {
          const since = ctx.incremental!.startValue as number;
          yield [1, 2, 3, 4].filter((n) => n >= since).map((n) => ({ id: n, n }));
          ctx.state.runs = ((ctx.state.runs as number | undefined) ?? 0) + 1;
        },
        { name: "nums", primaryKey: "id", incremental: incremental({ cursorPath: "n", initialValue: 1 }) },
      );
    const p = duckPipeline(dir, { pipelineName: "restore_me" });
    await p.run(make());
    const stored = await p.dataset().sql("select version, pipeline_name from _dlt_pipeline_state").rows();
    expect(stored).toEqual([{ version: 1, pipeline_name: "restore_me" }]);

    rmSync(p.workingDir.path, { recursive: true, force: true });
    const q = duckPipeline(dir, { pipelineName: "restore_me" });
    const info = await q.run(make());
    expect(info.rowCounts.nums ?? 0).toBe(0); // the cursor came back from the destination
    const st = q.state.sources.restore_me!.resources!.nums!;
    expect(st.runs).toBe(2);
    expect(st.incremental!.n!.lastValue).toBe(4);
    expect(q.workingDir.readSchema("restore_me")?.get("nums")).toBeDefined();
  });

  it("keeps at most 10 state rows per pipeline", async () => {
    const p = duckPipeline(dir, { pipelineName: "many_states" });
    for (let i = 0; i < 12; i++) {
      await p.run(
        resource(
          function* (ctx) {
            ctx.state.i = i;
            yield [{ i }];
          },
          { name: "r" },
        ),
      );
    }
    const rows = await p.dataset().sql("select count(*) as n, max(version) as v from _dlt_pipeline_state").rows();
    expect(rows).toEqual([{ n: 10, v: 12 }]);
  });
});
