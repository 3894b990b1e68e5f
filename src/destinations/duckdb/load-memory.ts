import { availableParallelism, totalmem } from "node:os";
import { type LoadJob, jobsByTable } from "../destination.js";
import type { Schema } from "../../schema/schema.js";
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

/**
 * What one INSERT … read_json holds per column of its table on one thread, in MB, once the table
 * has `FULL_ROWS` rows; fewer rows hold proportionally less. Measured on DuckDB 1.5 (the least
 * limit that loaded, one thread, 30 values a row): 100 / 400 / 1,465 columns needed 103 / 318 /
 * ~994 MB at 20,000 rows and no more at 84,000 or 200,000; at 2,000 rows 50 / 91 / 225 MB. That is
 * ~0.65 MB a column, which no spilling relieves (the blocks are pinned while the statement runs).
 * So a table of a few dozen columns fits in read_json's own buffers, and one of 1,465 columns (a
 * REST resource of free-form keys, all in one table) needs ~1 GB: at the 192 MB default it failed on
 * every run.
 */
const COLUMN_MB = 0.7;
const FULL_ROWS = 20_000;

/**
 * What every table's columns hold until COMMIT, in MB a column at `FULL_ROWS` rows: ten tables of
 * 146 columns and 84,000 rows in one transaction needed 170–180 MB, one of them 130–160 MB.
 */
const HELD_COLUMN_MB = 0.03;

/**
 * MB a package's tables need beyond read_json's buffers: the widest read in flight (`COLUMN_MB`)
 * and what each table holds until COMMIT (`HELD_COLUMN_MB`), each scaled by the table's rows.
 */
export function tablesMb(jobs: LoadJob[], schema: Schema): number {
  let widest = 0;
  let held = 0;
  for (const [table, files] of jobsByTable(jobs)) {
    const columns = Object.keys(schema.get(table)?.columns ?? {}).length;
    const full = Math.min(1, files.reduce((n, j) => n + j.rows, 0) / FULL_ROWS);
    widest = Math.max(widest, COLUMN_MB * columns * full);
    held += TABLE_MB + HELD_COLUMN_MB * columns * full;
  }
  return Math.ceil(widest + held);
}

/** DuckDB's `memory_limit`, in MB, for the statements that read a package's load files on `LOAD_THREADS`. */
export function packageMemoryMb(jobs: LoadJob[], schema: Schema): number {
  return loadMemoryMb(maxRowBytesOf(jobs), LOAD_THREADS) + tablesMb(jobs, schema);
}

/**
 * The most a load may raise DuckDB's limit to on its own when a package runs out of memory: half
 * of the machine's memory (DuckDB's own default is 80%, which leaves nothing to the rest of the
 * process). A package that needs more is the user's call: `[destination.duckdb] memory_limit`.
 */
export function ceilingMb(): number {
  return Math.floor(totalmem() / MB / 2);
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
