import { freeBuffers } from "../util/free-buffers.js";

/** What a KeyIndex is made of, for postMessage (its buffers are transferred, not copied: `transferList`). */
export interface PackedKeys {
  bytes: Uint8Array;
  meta: Int32Array;
  count: number;
}

/**
 * A Buffer on an ArrayBuffer of its own: `Buffer.allocUnsafe` may hand out a slice of Node's shared
 * pool, which cannot be transferred, and a fresh ArrayBuffer's pages stay unmapped until written.
 */
function ownedBuffer(size: number): Buffer {
  return Buffer.from(new ArrayBuffer(size));
}

/** Per entry in `meta`: hash, byte offset, key length, id length (the id follows the key). */
const STRIDE = 4;

function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/**
 * Primary key → `_dlt_id` of the last row with that key, for one merge table of a package: what
 * normalize needs to let the last occurrence of a key win. A Map of strings costs ~115 bytes per
 * key on the JS heap and keeps the GC tracing all of them (bench/memory: the largest part of
 * normalize's growth with the package); here key and id are UTF-8 bytes in one buffer with four
 * integers beside them (~40 bytes per key, off the heap), and keys are compared byte for byte,
 * so a hash collision never merges two keys. A worker hands its index to the main thread by
 * transferring the buffers (no copy on either side), and the parts of a package are compared where
 * they lie (`forEachSupersededBy`) rather than merged into one more index: at 1M merge rows the
 * copies cost more peak RSS than the index itself (bench/memory).
 */
export class KeyIndex {
  private bytes: Buffer;
  private used = 0;
  private meta: Int32Array;
  private slots: Int32Array;
  count = 0;

  constructor(packed?: PackedKeys) {
    if (packed) {
      this.bytes = Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.length);
      this.used = packed.bytes.length;
      this.meta = packed.meta;
      this.count = packed.count;
      let size = 1024;
      while (size < this.count * 2 + 1) size *= 2;
      this.slots = new Int32Array(0);
      this.rehash(size);
    } else {
      this.bytes = ownedBuffer(64 * 1024);
      this.meta = new Int32Array(1024 * STRIDE);
      this.slots = new Int32Array(2048);
    }
  }

  /** Record `id` as the last row of `key`; returns the id it replaces, if the key was seen. */
  set(key: string, id: string): string | undefined {
    this.reserve(key.length * 3 + id.length * 3);
    const at = this.used;
    const keyLen = this.bytes.write(key, at, "utf8");
    const idLen = this.bytes.write(id, at + keyLen, "utf8");
    return this.put(fnv1a(this.bytes, at, at + keyLen), at, keyLen, idLen);
  }

  /**
   * Each id of this part whose key a later part of the package also has: the later row wins, so
   * this one is superseded. Every part keeps its own table; none is copied into another. A key costs
   * one lookup per later part: 0.05–0.1 s per million keys in 2–4 parts (one per worker, the
   * default), 1.8–3.5 s in a hundred `[normalize] part_mb` parts (the opt-in that trades time for memory).
   */
  forEachSupersededBy(later: KeyIndex[], onSuperseded: (id: string) => void): void {
    if (later.length === 0) return;
    for (let e = 0; e < this.count; e++) {
      const m = e * STRIDE;
      const hash = this.meta[m]! >>> 0;
      const start = this.meta[m + 1]!;
      const keyLen = this.meta[m + 2]!;
      if (later.some((l) => l.has(hash, this.bytes, start, keyLen))) {
        onSuperseded(this.bytes.toString("utf8", start + keyLen, start + keyLen + this.meta[m + 3]!));
      }
    }
  }

  /** Views of what was written, for postMessage with `transferList()` (after which this index is unusable). */
  pack(): PackedKeys {
    return {
      bytes: new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.used),
      meta: this.meta.subarray(0, this.count * STRIDE),
      count: this.count,
    };
  }

  /** The buffers `pack()` views: moved to the receiving thread instead of copied. */
  transferList(): ArrayBuffer[] {
    return [this.bytes.buffer as ArrayBuffer, this.meta.buffer as ArrayBuffer];
  }

  /** Every buffer this index owns (all its own, never Node's shared pool), for `freeBuffers` once it is done with. */
  ownedBuffers(): ArrayBuffer[] {
    return [this.bytes.buffer as ArrayBuffer, this.meta.buffer as ArrayBuffer, this.slots.buffer as ArrayBuffer];
  }

  /**
   * The slot of the key `src[start, start + keyLen)` with hash `hash`: the slot holding its entry,
   * or the empty slot where it would go (`slots[slot] === 0`).
   */
  private slotOf(hash: number, src: Buffer, start: number, keyLen: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) return slot;
      const m = (entry - 1) * STRIDE;
      if (this.meta[m]! >>> 0 !== hash || this.meta[m + 2] !== keyLen) continue;
      const at = this.meta[m + 1]!;
      if (src.compare(this.bytes, at, at + keyLen, start, start + keyLen) === 0) return slot;
    }
  }

  /** Whether this index has the key given as bytes. */
  private has(hash: number, src: Buffer, start: number, keyLen: number): boolean {
    return this.slots[this.slotOf(hash, src, start, keyLen)] !== 0;
  }

  /** The entry whose key and id were just written at `at`: new, or replacing an old id. */
  private put(hash: number, at: number, keyLen: number, idLen: number): string | undefined {
    const slot = this.slotOf(hash, this.bytes, at, keyLen);
    const entry = this.slots[slot]!;
    if (entry === 0) {
      this.append(hash, at, keyLen, idLen);
      this.slots[slot] = this.count;
      if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
      return undefined;
    }
    const m = (entry - 1) * STRIDE;
    const start = this.meta[m + 1]!;
    const previous = this.bytes.toString("utf8", start + keyLen, start + keyLen + this.meta[m + 3]!);
    // The new copy of key and id becomes the entry's bytes (the old ones are left unused).
    this.meta[m + 1] = at;
    this.meta[m + 3] = idLen;
    this.used = at + keyLen + idLen;
    return previous;
  }

  private append(hash: number, at: number, keyLen: number, idLen: number): void {
    if ((this.count + 1) * STRIDE > this.meta.length) {
      const bigger = new Int32Array(this.meta.length * 2);
      bigger.set(this.meta);
      this.meta = bigger;
    }
    const m = this.count * STRIDE;
    this.meta[m] = hash | 0;
    this.meta[m + 1] = at;
    this.meta[m + 2] = keyLen;
    this.meta[m + 3] = idLen;
    this.count++;
    this.used = at + keyLen + idLen;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.used + bytes) size *= 2;
    const bigger = ownedBuffer(size);
    this.bytes.copy(bigger, 0, 0, this.used);
    this.bytes = bigger;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    const mask = size - 1;
    for (let e = 0; e < this.count; e++) {
      let slot = (this.meta[e * STRIDE]! >>> 0) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = e + 1;
    }
  }
}

/**
 * Free the indexes' memory now that they have done their work (superseded rows are known), rather
 * than at the main thread's next major GC, which an idle main thread may not run before the load step
 * allocates: ~60 bytes a key, ~25 MB at bench/memory's 1M rows (12 alternating rounds of the whole run,
 * with the workers' heap caps of parallel.ts: median peak 241 vs 254.5 MiB; each change alone
 * 246.5-248). The indexes are unusable afterwards.
 */
export function freeKeyIndexes(indexes: Iterable<KeyIndex>): Promise<void> {
  return freeBuffers([...indexes].flatMap((k) => k.ownedBuffers()));
}
