import { availableParallelism } from "node:os";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ExtractedManifest, JobFile, NormalizedManifest } from "../package/format.js";
import type { Schema } from "../schema/schema.js";
import { writeJsonAtomic } from "../util/fs-atomic.js";
import { logger } from "../util/logger.js";
import type { LoadFileFormat } from "../writers/index.js";
import type { NamingConvention } from "./naming.js";
import { type FilesInput, normalizeFiles } from "./normalize-files.js";
import { normalizeInParallel } from "./parallel.js";

const log = logger("normalize");

export interface NormalizeOptions {
  extractedDir: string;
  outDir: string;
  /** Evolved in place; the caller persists it. */
  schema: Schema;
  naming: NamingConvention;
  detectDates?: boolean;
  maxFileBytes?: number;
  /** The destination's preferred load file format. */
  format?: LoadFileFormat;
  /** Worker threads for big packages (dlt's `[normalize] workers`); default: the cores, up to 4. */
  workers?: number;
}

/**
 * Normalize one extracted package into per-table load files. Pure with respect to the outside
 * world: reads `extractedDir`, writes `outDir`, evolves `schema`. The caller renames `outDir` into
 * place, which is what makes the step atomic. Big packages are split over worker threads.
 */
export async function normalizePackage(opts: NormalizeOptions): Promise<NormalizedManifest> {
  const { extractedDir, outDir, schema } = opts;
  const manifest = JSON.parse(readFileSync(join(extractedDir, "manifest.json"), "utf8")) as ExtractedManifest;
  const input: FilesInput = {
    extractedDir,
    jobsDir: join(outDir, "new_jobs"),
    manifest,
    files: manifest.files,
    schema,
    naming: opts.naming,
    detectDates: opts.detectDates ?? true,
    format: opts.format ?? "jsonl",
    ...(opts.maxFileBytes !== undefined ? { maxFileBytes: opts.maxFileBytes } : {}),
  };
  const workers = opts.workers ?? Math.min(availableParallelism(), 4);
  const result = (await normalizeInParallel(input, workers)) ?? normalizeFiles(input);

  const jobs: JobFile[] = [];
  const warnings: string[] = [];
  const nulByTable = new Map<string, number>();
  for (const f of result.written) {
    const { nulStripped, ...job } = f;
    jobs.push(job);
    if (nulStripped) nulByTable.set(f.table, (nulByTable.get(f.table) ?? 0) + nulStripped);
  }
  for (const [table, n] of nulByTable) {
    const message = `table ${table}: removed ${n} NUL character(s) from text and json values (the destination cannot store them)`;
    log.warn(message);
    warnings.push(message);
  }
  if (existsSync(join(extractedDir, "state.json"))) copyFileSync(join(extractedDir, "state.json"), join(outDir, "state.json"));
  writeJsonAtomic(join(outDir, "schema.json"), schema.toJSON());
  const out: NormalizedManifest = {
    loadId: manifest.loadId,
    pipelineName: manifest.pipelineName,
    sourceName: manifest.sourceName,
    schemaName: manifest.schemaName,
    createdAt: manifest.createdAt,
    normalizedAt: new Date().toISOString(),
    jobs,
    rootTables: result.roots,
    rowCounts: result.rowCounts,
    superseded: Object.fromEntries(result.superseded),
    stats: result.stats,
    stateChanged: manifest.stateChanged,
    warnings,
  };
  writeJsonAtomic(join(outDir, "manifest.json"), out);
  return out;
}
