import { describe, expect, it } from "vitest";
import { KeyIndex } from "../../src/normalize/key-index.js";

describe("KeyIndex", () => {
  it("returns the id a key replaces, as a Map of the last id per key would", () => {
    const index = new KeyIndex();
    const model = new Map<string, string>();
    // Enough keys to grow every buffer and rehash several times; some keys repeat, some are not ASCII.
    for (let i = 0; i < 50_000; i++) {
      const key = i % 7 === 0 ? `k${i % 1000}` : i % 11 === 0 ? `ключ-€-${i}` : `key-${i}`;
      const id = `id${i}`;
      expect(index.set(key, id)).toBe(model.get(key));
      model.set(key, id);
    }
    expect(index.count).toBe(model.size);
  });

  it("tells apart keys of equal length and hash bucket (bytes are compared, not only hashes)", () => {
    const index = new KeyIndex();
    expect(index.set("ab", "1")).toBeUndefined();
    expect(index.set("ba", "2")).toBeUndefined();
    expect(index.set("ab", "3")).toBe("1");
    expect(index.set("ba", "4")).toBe("2");
  });

  it("lists the ids of an earlier part that a later part supersedes, after a transfer as the workers send it", () => {
    const parts = [new KeyIndex(), new KeyIndex(), new KeyIndex()];
    for (let i = 0; i < 3000; i++) parts[0]!.set(`k${i}`, `a${i}`);
    for (let i = 2000; i < 5000; i++) parts[1]!.set(`k${i}`, `b${i}`);
    // Not ASCII, and a key only the last part has.
    for (const k of ["k10", "k4999", "ключ-€", "only-last"]) parts[2]!.set(k, `c-${k}`);
    parts[0]!.set("ключ-€", "a-ключ");
    const received = parts.map((p) => {
      const packed = p.pack();
      const transfer = p.transferList();
      const moved = structuredClone(packed, { transfer });
      // Moved, not copied: the sender's buffers are gone.
      expect(transfer.every((b) => b.byteLength === 0)).toBe(true);
      return new KeyIndex(moved);
    });
    const superseded: string[] = [];
    for (const [i, part] of received.entries()) part.forEachSupersededBy(received.slice(i + 1), (id) => superseded.push(id));
    expect(superseded.sort()).toEqual(
      [...Array.from({ length: 1000 }, (_, j) => `a${2000 + j}`), "a10", "a-ключ", "b4999"].sort(),
    );
    // A received index still takes new keys.
    expect(received[1]!.set("k2500", "d")).toBe("b2500");
    expect(received[0]!.set("k10", "d")).toBe("a10");
  });
});
