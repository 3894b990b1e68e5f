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

  it("merges a later part after a round trip through pack (as the workers send it)", () => {
    const first = new KeyIndex();
    const later = new KeyIndex();
    for (let i = 0; i < 3000; i++) first.set(`k${i}`, `a${i}`);
    for (let i = 2000; i < 5000; i++) later.set(`k${i}`, `b${i}`);
    const global = new KeyIndex(structuredClone(first.pack()));
    const replaced: string[] = [];
    global.absorb(new KeyIndex(structuredClone(later.pack())), (id) => replaced.push(id));
    expect(replaced).toEqual(Array.from({ length: 1000 }, (_, j) => `a${2000 + j}`));
    expect(global.count).toBe(5000);
    expect(global.set("k2500", "c")).toBe("b2500");
    expect(global.set("k10", "c")).toBe("a10");
  });
});
