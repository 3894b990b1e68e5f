import { describe, expect, it } from "vitest";
import { orderedParallel } from "../../src/http/index.js";

describe("orderedParallel", () => {
  it("yields in task order while running up to `window` tasks at once", async () => {
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 30 }, (_, i) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5 + ((i * 7) % 13)));
      running--;
      return i;
    });
    const out: number[] = [];
    for await (const v of orderedParallel(tasks, 4)) out.push(v);
    expect(out).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });

  it("fails when the failing task's turn comes, not before", async () => {
    const tasks = [() => Promise.resolve(1), () => Promise.reject(new Error("boom")), () => Promise.resolve(3)];
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const v of orderedParallel(tasks, 3)) out.push(v);
      })(),
    ).rejects.toThrow("boom");
    expect(out).toEqual([1]);
  });
});
