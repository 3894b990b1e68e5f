import { availableParallelism } from "node:os";
import { type LoadJob, jobsByTable } from "../destination.js";
import { objectSize } from "./read-json.js";

const MB = 1024 * 1024;

/**
 * DuckDB's threads while a package loads (job-client.ts says what it measured). One: rows then
 * reach the file in whole row groups that the checkpoint takes as they are, where two threads'
 * row groups were merged at the checkpoint, and read_json's buffers fit the smallest limit.
 */
export const LOAD_THREADS = 1;

/** The longest line of a package's load files (0 when none says), which sizes read_json's buffers. */
export function maxRowBytesOf(jobs: LoadJob[]): number {
  return Math.max(0, ...jobs.map((j) => j.maxRowBytes ?? 0));
}

/**
 * Room per table of a package, in MB: a table's rows stay in its transaction's local storage until
 * COMMIT. The Sage demo's package (57 tables, 1,465 columns) failed with Out of Memory at the 64 MB
 * of `loadMemoryMb` on one thread and loaded with 0.5 MB more per table; this is twice that.
 */
const TABLE_MB = 1;

/** DuckDB's `memory_limit`, in MB, while a package of these load files loads on `LOAD_THREADS`. */
export function packageMemoryMb(jobs: LoadJob[]): number {
  return loadMemoryMb(maxRowBytesOf(jobs), LOAD_THREADS) + TABLE_MB * jobsByTable(jobs).size;
}

/**
 * DuckDB's `memory_limit`, in MB, for loading files whose longest line is `maxRowBytes` on
 * `threads` threads.
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
