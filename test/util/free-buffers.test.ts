import { describe, expect, it } from "vitest";
import { KeyIndex } from "../../src/normalize/key-index.js";
import { freeBuffers } from "../../src/util/free-buffers.js";

describe("freeBuffers", () => {
  it("detaches the buffers at once (their memory is freed when the port closes, not at a later GC)", async () => {
    const a = new ArrayBuffer(1 << 20);
    const b = new ArrayBuffer(1 << 20);
    // The same buffer twice and an already detached one are fine.
    await freeBuffers([a, b, a]);
    expect(a.byteLength).toBe(0);
    expect(b.byteLength).toBe(0);
    await freeBuffers([a]);
    await freeBuffers([]);
  });

  it("frees every buffer a key index owns, which are never Node's shared Buffer pool", async () => {
    const index = new KeyIndex();
    for (let i = 0; i < 5000; i++) index.set(`key-${i}`, `id${i}`);
    const owned = index.ownedBuffers();
    expect(owned).toHaveLength(3);
    const pool = Buffer.allocUnsafe(16).buffer;
    expect(owned).not.toContain(pool);
    await freeBuffers(owned);
    expect(owned.every((b) => b.byteLength === 0)).toBe(true);
    expect(pool.byteLength).toBeGreaterThan(0);
  });
});
