import { describe, expect, it } from "vitest";
import { mergeAsync } from "../../src/util/merge-async.js";

describe("mergeAsync", () => {
  async function* pages(name: string, n: number, delayMs: number, signal?: AbortSignal, failAt?: number): AsyncGenerator<string> {
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setTimeout(r, delayMs));
      signal?.throwIfAborted();
      if (i === failAt) throw new Error(`${name} failed`);
      yield `${name}${i}`;
    }
  }

  it("yields from every source as items arrive", async () => {
    const out: string[] = [];
    for await (const x of mergeAsync([pages("a", 3, 5), pages("b", 2, 1), pages("c", 0, 1)], new AbortController())) out.push(x);
    expect(out.sort()).toEqual(["a0", "a1", "a2", "b0", "b1"]);
  });

  it("rethrows the first failure after aborting the others", async () => {
    const controller = new AbortController();
    const run = async () => {
      for await (const _ of mergeAsync(
        [pages("slow", 100, 20, controller.signal), pages("bad", 5, 5, undefined, 1)],
        controller,
      )) {
        // drain
      }
    };
    await expect(run()).rejects.toThrow("bad failed");
    expect(controller.signal.aborted).toBe(true);
  });
});
