import { type FreshColumns, mergeFresh } from "./column-order.js";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { packageFile } from "../package/files.js";
import type { RawFile } from "../package/format.js";
import type { Schema, StoredSchema } from "../schema/schema.js";
import { DataError, PipelineError } from "../util/errors.js";
import { logger } from "../util/logger.js";
import type { FilesInput, FilesResult } from "./normalize-files.js";
import { KeyIndex, freeKeyIndexes } from "./key-index.js";
import type { WorkerInput, WorkerOutput } from "./normalize-worker.js";
import { type DecimalOverflow, MAX_NAMED_OVERFLOWS } from "./relational.js";

/** Below this much raw data a package is normalized in this thread: workers cost ~50 ms to start. */
const MIN_PARALLEL_BYTES = 8 * 1024 * 1024;

/**
 * A worker's young generation. V8 grows it to ~48 MB when a worker allocates for long, which on a
 * big package added ~35 MB per worker to peak RSS; normalize's rows die young (each is written
 * as soon as its item is done), so a small one costs no measurable CPU (bench/memory, 1M rows:
 * normalize peak 317 → 252 MiB at 8 MB, process CPU 14.6 → 13.5 s; 4 MB with the 16 MB old
 * generation below: see there).
 */
const YOUNG_GENERATION_MB = 4;

/**
 * A worker's old generation. A part's live heap is ~5 MB (after a full GC, 100k and 1M rows alike),
 * but V8 let the garbage of a 1M-row package's part pile up to 22 MB before collecting it; capped,
 * V8 collects sooner. Normalize alone of bench/memory's 1M rows peaked 148-152 MiB uncapped, 137-147
 * at 24 MB old + 8 MB young, 130-135 at 16 + 4 (3 alternating rounds, CPU 5.4-6.1 s vs 5.7-7.5 s:
 * no cost). An item that needs more heap than this kills its worker (ERR_WORKER_OUT_OF_MEMORY): the
 * package is then normalized again in the main thread, which has no such cap.
 */
const OLD_GENERATION_MB = 16;

const log = logger("normalize");

/** A worker outgrew its heap cap: not the package's fault, the main thread normalizes it instead. */
class WorkerOutOfMemory extends Error {}

/**
 * Throw away what the parts wrote, once every worker has stopped: the folder is this normalize's
 * own, and a worker that failed never said which files it had begun.
 */
function discardParts(jobsDir: string): void {
  for (const f of readdirSync(jobsDir)) rmSync(join(jobsDir, f), { force: true });
}

/**
 * `tasks` run `limit` at a time; results in task order. After a failure no further task starts, and
 * the first failure is thrown once the tasks already running have settled (so that none of them is
 * still writing when the caller cleans up).
 */
async function inPool<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < tasks.length && !failure) {
      const i = next++;
      try {
        out[i] = await tasks[i]!();
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  if (failure) throw failure.err;
  return out;
}

const workerFile = fileURLToPath(new URL("./normalize-worker.js", import.meta.url));

/** Contiguous parts of about equal size, in package order (order decides which duplicate wins). */
export function partition(files: RawFile[], sizes: number[], parts: number): RawFile[][] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const out: RawFile[][] = [];
  let current: RawFile[] = [];
  let acc = 0;
  files.forEach((f, i) => {
    current.push(f);
    acc += sizes[i]!;
    if (acc >= (total * (out.length + 1)) / parts && out.length < parts - 1) {
      out.push(current);
      current = [];
    }
  });
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Add what each part's schema added to `target`, in part order. False when two parts disagree on
 * a column's type (each saw a different first value): the caller then normalizes again in one
 * thread, which routes the later values to variant columns as usual.
 */
export function mergeSchemas(target: Schema, parts: StoredSchema[]): boolean {
  const merged = target.clone();
  for (const part of parts) {
    for (const t of part.tables) {
      const mine = merged.get(t.name);
      if (!mine) {
        merged.tables.set(t.name, structuredClone(t));
        continue;
      }
      if (mine.parent !== t.parent) return false;
      // Table hints (disposition, keys, contract) as the resource gave them this run.
      const { columns, ...hints } = structuredClone(t);
      Object.assign(mine, hints);
      for (const c of Object.values(columns)) {
        const m = mine.columns[c.name];
        if (!m) mine.columns[c.name] = c;
        else if (m.dataType !== c.dataType || m.precision !== c.precision || m.scale !== c.scale) return false;
        else Object.assign(m, c);
      }
    }
  }
  target.tables.clear();
  for (const [name, t] of merged.tables) target.tables.set(name, t);
  return true;
}

/**
 * A worker's report, as soon as it sends it, and its exit. The caller starts the next part at the
 * report (so one worker's teardown overlaps the next one's start) and waits for every exit before
 * it returns: teardown (freeing the heap) would otherwise compete with the load step for the cores.
 * A worker that fails is reported at its exit, when it can no longer be writing.
 */
function runWorker(data: WorkerInput): Promise<{ output: WorkerOutput; exited: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerFile, {
      workerData: data,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb: OLD_GENERATION_MB },
    });
    let reported = false;
    let failure: NodeJS.ErrnoException | undefined;
    const exited = new Promise<void>((done) => {
      w.once("exit", (code) => {
        if (!reported) {
          reject(
            failure?.code === "ERR_WORKER_OUT_OF_MEMORY"
              ? new WorkerOutOfMemory(failure.message)
              : (failure ?? new PipelineError(`a normalize worker exited with code ${code} before reporting`)),
          );
        }
        done();
      });
    });
    w.once("message", (m: WorkerOutput) => {
      reported = true;
      resolve({ output: m, exited });
    });
    w.once("error", (err) => {
      failure = err;
    });
  });
}

/**
 * Normalize a package's raw files in worker threads, in contiguous parts of about `partBytes` (at
 * least one per worker), each in a fresh worker, `workers` at a time, and combine the parts in
 * package order: schemas merged in order, row counts summed, and merge keys deduplicated across parts
 * (a later part's row with a key supersedes an earlier part's). Returns undefined when the
 * package is too small, workers are unavailable (running from sources), or the parts disagree.
 */
export async function normalizeInParallel(
  input: FilesInput,
  workers: number,
  partBytes = Number.POSITIVE_INFINITY,
): Promise<Omit<FilesResult, "lastByKey"> | undefined> {
  if (workers < 2 || input.files.length < 2 || !existsSync(workerFile)) return undefined;
  const sizes = input.files.map((f) => statSync(packageFile(input.extractedDir, f.file)).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total < MIN_PARALLEL_BYTES) return undefined;
  // More parts than workers when asked (`[normalize] part_mb`): each part in a fresh worker, whose
  // heap goes with it. bench/memory's 1M rows (280 MB raw), alternating with one part per worker:
  // peak RSS 247-271 vs 259-319 MiB with 32 MB parts, normalize 4.6-6.0 vs 3.8-4.6 s (each part's
  // worker start, its files, the lanes' uneven ends). Not the default: the speed is the point.
  const parts = partition(input.files, sizes, Math.max(workers, Math.ceil(total / partBytes)));
  if (parts.length < 2) return undefined;
  const base = input.schema.toJSON();
  const exits: Array<Promise<void>> = [];
  const run = async (data: WorkerInput) => {
    const r = await runWorker(data);
    exits.push(r.exited);
    return r;
  };
  let runs: Array<Awaited<ReturnType<typeof runWorker>>>;
  try {
    runs = await inPool(
      workers,
      parts.map(
        (files) => () =>
          run({
            extractedDir: input.extractedDir,
            jobsDir: input.jobsDir,
            manifest: input.manifest,
            files,
            schema: base,
            maxLength: input.naming.maxLength,
            detectDates: input.detectDates,
            format: input.format,
            maxTableNesting: input.maxTableNesting,
            ...(input.maxFileBytes !== undefined ? { maxFileBytes: input.maxFileBytes } : {}),
          }),
      ),
    );
  } catch (err) {
    await Promise.all(exits);
    if (!(err instanceof WorkerOutOfMemory)) throw err;
    discardParts(input.jobsDir);
    log.warn(
      `package ${input.manifest.loadId}: a normalize worker ran out of its ${OLD_GENERATION_MB} MB heap (an item too large for it); normalizing the package in one thread instead`,
    );
    return undefined;
  }
  await Promise.all(exits);
  const outputs = runs.map((r) => r.output);

  const failed = outputs.find((o): o is Extract<WorkerOutput, { ok: false }> => !o.ok);
  const written = outputs.flatMap((o) => (o.ok ? o.result.written : []));
  if (failed) {
    discardParts(input.jobsDir);
    const opts = failed.error.hint ? { hint: failed.error.hint } : {};
    throw failed.error.data ? new DataError(failed.error.message, opts) : new PipelineError(failed.error.message, opts);
  }
  const ok = outputs as Array<Extract<WorkerOutput, { ok: true }>>;
  if (
    !mergeSchemas(
      input.schema,
      ok.map((o) => o.schema),
    )
  ) {
    discardParts(input.jobsDir);
    return undefined;
  }
  const rowCounts: Record<string, number> = {};
  const stats = { discardedRows: 0, discardedValues: 0, variantValues: 0 };
  const superseded = new Map<string, string[]>();
  // Per merge table, each part's index in part order: a key's last part has the row that wins.
  const partKeys = new Map<string, KeyIndex[]>();
  const overflows = new Map<string, DecimalOverflow>();
  for (const o of ok) {
    for (const [column, part] of o.result.overflows) {
      const sum = overflows.get(column);
      if (!sum) overflows.set(column, { ...part, named: [...part.named] });
      else {
        sum.count += part.count;
        sum.named = [...sum.named, ...part.named].slice(0, MAX_NAMED_OVERFLOWS);
      }
    }
    for (const [t, n] of Object.entries(o.result.rowCounts)) rowCounts[t] = (rowCounts[t] ?? 0) + n;
    stats.discardedRows += o.result.stats.discardedRows;
    stats.discardedValues += o.result.stats.discardedValues;
    stats.variantValues += o.result.stats.variantValues;
    for (const [t, ids] of o.result.superseded) superseded.set(t, [...(superseded.get(t) ?? []), ...ids]);
    for (const [t, packed] of o.result.lastByKey) {
      let parts = partKeys.get(t);
      if (!parts) partKeys.set(t, (parts = []));
      parts.push(new KeyIndex(packed));
    }
  }
  for (const [t, parts] of partKeys) {
    for (const [i, part] of parts.entries()) {
      part.forEachSupersededBy(parts.slice(i + 1), (earlier) => {
        let list = superseded.get(t);
        if (!list) superseded.set(t, (list = []));
        list.push(earlier);
      });
    }
  }
  await freeKeyIndexes([...partKeys.values()].flat());
  const rejected = ok.flatMap((o) => o.result.rejected);
  const fresh: FreshColumns = new Map();
  for (const o of ok) mergeFresh(fresh, new Map(o.result.fresh.map(([t, cols]) => [t, new Map(cols)])));
  return { written, rowCounts, roots: ok[0]!.result.roots, stats, superseded, overflows, rejected, fresh };
}
