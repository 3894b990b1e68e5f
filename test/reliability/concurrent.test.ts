import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resource } from "../../src/extract/index.js";
import { LockHeldError } from "../../src/pipeline/stops.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";
import { slowData, startRun } from "./cli-run.js";

// Never two writers in one working dir: a second run exits 1 at once naming the running one,
// or waits with --wait; a lock left by a killed process is no lock.

const root = tempDir("sp-concurrent-");
const PAGES = 20;
const expectedItems = Array.from({ length: PAGES * 10 }, (_, id) => ({ id, page: Math.floor(id / 10) }));
const slow = { SLOW_PAGES: String(PAGES), SLOW_MS: "150" };
const fast = { SLOW_PAGES: String(PAGES), SLOW_MS: "1" };

describe("concurrent runs of one pipeline", () => {
  it("a second run exits 1 at once with the pid and start of the running one; --wait waits, and the data is exact", async () => {
    const cwd = join(root, "second");
    mkdirSync(cwd);
    const hold = join(cwd, "hold");
    writeFileSync(hold, "");
    const first = startRun(cwd, { ...slow, SLOW_HOLD: hold });
    await first.saw("slow: page 1\n");
    const second = await startRun(cwd, fast).done;
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`pipeline sage_pipeline is running \\(pid ${first.child.pid} since \\d\\d:\\d\\d\\)`),
    );

    const waiting = startRun(cwd, fast, ["--wait"]);
    // Still held: the waiting run waits (it has not even started its extract).
    await new Promise((r) => setTimeout(r, 1000));
    expect(waiting.child.exitCode).toBeNull();
    rmSync(hold);
    const [a, b] = await Promise.all([first.done, waiting.done]);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    // The waiting run started after the first one's end: its pages came after the first's load.
    expect(b.stderr.indexOf("slow: page 0")).toBeGreaterThanOrEqual(0);
    expect((await slowData(cwd)).items).toEqual(expectedItems);
  });

  it("a lock left by a killed process is taken over at once", async () => {
    const cwd = join(root, "killed");
    mkdirSync(cwd);
    const first = startRun(cwd, slow);
    await first.saw("slow: page 2\n");
    first.child.kill("SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    const next = await startRun(cwd, fast).done;
    expect(next.status, next.stderr).toBe(0);
    expect((await slowData(cwd)).items).toEqual(expectedItems);
  });

  it("two Pipeline objects of one working dir in one process: the second throws LockHeldError", async () => {
    const dir = join(root, "in-process");
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const held = resource(
      async function* () {
        await gate;
        yield [{ id: 1 }];
      },
      { name: "held" },
    );
    const a = duckPipeline(dir, { pipelineName: "twice" });
    const b = duckPipeline(dir, { pipelineName: "twice" });
    const running = a.run(held);
    // Let the first run take the lock and reach its resource.
    await new Promise((r) => setTimeout(r, 500));
    const err = await b.run([{ id: 2 }], { tableName: "other" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as LockHeldError).holderPid).toBe(process.pid);
    release();
    await running;
    // Released: the second object runs now.
    await b.run([{ id: 2 }], { tableName: "other" });
    expect(await b.dataset().table("other").count()).toBe(1);
  });
});
