/**
 * Deterministic randomness for the sandbox's data. Everything that ends up in a record comes
 * from here, seeded, so the same seed always produces byte-identical data.
 */

/** 32-bit finaliser of MurmurHash3: a cheap, well-mixed integer hash. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over a string, then mixed. */
export function hashString(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

export function hashInts(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) h = mix32((h ^ mix32((p >>> 0) ^ 0x27d4eb2f)) + 0x165667b1);
  return h;
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, "0");

/** A 32-char lowercase hex id (Sage's id format), stable for the given parts. */
export function hexId(...parts: number[]): string {
  const a = hashInts(...parts, 1);
  const b = hashInts(...parts, 2);
  const c = hashInts(...parts, 3);
  const d = hashInts(...parts, 4);
  return hex8(a) + hex8(b) + hex8(c) + hex8(d);
}

/** sfc32: small, fast, good enough statistically, and fully reproducible. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seed: number[]) {
    this.a = hashInts(...seed, 11);
    this.b = hashInts(...seed, 12);
    this.c = hashInts(...seed, 13);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Pick with weights (same length as items). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((s, w) => s + w, 0);
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /** A fresh generator derived from this one and a label, so adding draws elsewhere does not shift it. */
  fork(label: string): Rng {
    return new Rng(this.int(0, 0x7fffffff), hashString(label));
  }
}
