import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp-pipeline.js";
import { slowData, startRun, tmpLeftovers } from "./cli-run.js";

// SIGTERM and SIGINT stop a run cleanly: extract stops, the step in flight finishes or rolls
// back, no `.tmp` is left, "interrupted: run again to finish", exit 143 / 130; the next run
// then gives exactly the data of an uninterrupted one.

const LONG = process.env.SAGE_RELIABILITY === "long";
const root = tempDir("sp-stops-");
const PAGES = 30;
const expectedItems = Array.from({ length: PAGES * 10 }, (_, id) => ({ id, page: Math.floor(id / 10) }));

// [signal, the page after which it is sent, extra delay in ms]: mid-extract, and at the end of
// extract (the signal then lands in normalize or load, or after the run on a fast machine).
const cases: Array<[NodeJS.Signals, number, number]> = [
  ["SIGTERM", 3, 0],
  ["SIGINT", 3, 0],
  ["SIGTERM", PAGES - 1, 50],
  ...(LONG
    ? ([
        ["SIGINT", PAGES - 1, 50],
        ["SIGTERM", PAGES - 1, 150],
        ["SIGINT", PAGES - 1, 300],
        ["SIGTERM", 15, 0],
        ["SIGINT", 0, 0],
      ] as Array<[NodeJS.Signals, number, number]>)
    : []),
];

describe("clean stops", () => {
  let n = 0;
  for (const [signal, page, after] of cases) {
    it(`${signal} after page ${page}${after ? ` + ${after} ms` : ""}: exit ${signal === "SIGINT" ? 130 : 143}, no .tmp, the next run completes the data`, async () => {
      const cwd = join(root, String(++n));
      mkdirSync(cwd);
      const run = startRun(cwd, { SLOW_PAGES: String(PAGES), SLOW_MS: "100" });
      await run.saw(`slow: page ${page}\n`);
      if (after) await new Promise((r) => setTimeout(r, after));
      const sentAt = Date.now();
      run.child.kill(signal);
      const r = await run.done;
      const stopSeconds = (Date.now() - sentAt) / 1000;
      if (r.status === 0) {
        // The run had finished before the signal came: nothing to stop (possible on a slow machine).
        expect(r.stdout).toContain("load step completed");
      } else {
        expect(r.status, r.stderr).toBe(signal === "SIGINT" ? 130 : 143);
        expect(r.stderr).toContain("interrupted: run again to finish");
        expect(r.stderr).not.toMatch(/at \S+ \(/); // no stack trace
      }
      expect(tmpLeftovers(join(cwd, "data"))).toEqual([]);
      // A generous bound (the machine is shared): the point is that it does not hang.
      expect(stopSeconds).toBeLessThan(30);

      const again = startRun(cwd, { SLOW_PAGES: String(PAGES), SLOW_MS: "1" });
      const r2 = await again.done;
      expect(r2.status, r2.stderr).toBe(0);
      const data = await slowData(cwd);
      expect(data.items).toEqual(expectedItems);
      expect(data.tags).toHaveLength(PAGES * 10);
    });
  }
});
