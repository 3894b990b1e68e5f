import { availableParallelism } from "node:os";
import type { LoadJob } from "../destination.js";
import { objectSize } from "./read-json.js";

const MB = 1024 * 1024;

/** The longest line of a package's load files (0 when none says), which sizes read_json's buffers. */
export function maxRowBytesOf(jobs: LoadJob[]): number {
  return Math.max(0, ...jobs.map((j) => j.maxRowBytes ?? 0));
}

/**
 * DuckDB's `memory_limit`, in MB, for loading files whose longest line is `maxRowBytes`, with
 * DuckDB's default thread count (one per core).
 *
 * What a load needs is read_json's buffers: each one is twice `maximum_object_size`, and each
 * thread may hold one while a further one is read (measured on DuckDB 1.5: 17 MB lines on 1, 2
 * and 4 threads need 2, 3 and 5 buffers of 64 MB; a limit one buffer short fails with "Out of
 * Memory"), plus room for the longest lines themselves (40 MB lines needed 2x their size on top).
 * The rows being inserted spill to `<file>.tmp` past the limit. Anything above that is cache:
 * blocks already written stay in DuckDB's buffer pool until the limit forces them out, so a
 * larger limit only makes a load's memory grow with its package (bench/memory: a 192 MB limit
 * held every block a 1M-row load wrote, ~60 MiB, plus its checkpoint's).
 */
export function loadMemoryMb(maxRowBytes: number, threads = availableParallelism()): number {
  const buffers = (threads + 1) * 2 * objectSize(maxRowBytes);
  return Math.ceil(Math.max(64 * MB, buffers + 2 * maxRowBytes) / MB);
}
