import { availableParallelism } from "node:os";
import {
  copyKeySets,
  copyPackageState,
  describeRejected,
  jobFolder,
  readExtractedManifest,
  writeManifest,
  writePackageSchema,
  writeRejected,
} from "../package/files.js";
import type { ExtractedManifest, JobFile, KeySetJob, NormalizedManifest, RootTableEntry } from "../package/format.js";
import type { Schema } from "../schema/schema.js";
import { logger } from "../util/logger.js";
import type { LoadFileFormat } from "../writers/index.js";
import type { NamingConvention } from "./naming.js";
import { type FilesInput, normalizeFiles } from "./normalize-files.js";
import { normalizeInParallel } from "./parallel.js";
import { freeKeyIndexes } from "./key-index.js";
import { columnsBefore, orderColumns } from "./column-order.js";

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
  /** Raw bytes per worker run (`[normalize] part_mb`); default one part per worker. */
  partBytes?: number;
  /** `[normalize] max_table_nesting` for resources that set none; default 1000 (dlt's). */
  maxTableNesting?: number;
}

/**
 * Normalize one extracted package into per-table load files. Pure with respect to the outside
 * world: reads `extractedDir`, writes `outDir`, evolves `schema`. The caller renames `outDir` into
 * place, which is what makes the step atomic. Big packages are split over worker threads.
 */
export async function normalizePackage(opts: NormalizeOptions): Promise<NormalizedManifest> {
  const { extractedDir, outDir, schema } = opts;
  const manifest = readExtractedManifest(extractedDir);
  const input: FilesInput = {
    extractedDir,
    jobsDir: jobFolder(outDir, "new_jobs"),
    manifest,
    files: manifest.files,
    schema,
    naming: opts.naming,
    detectDates: opts.detectDates ?? true,
    format: opts.format ?? "jsonl",
    maxTableNesting: opts.maxTableNesting ?? 1000,
    ...(opts.maxFileBytes !== undefined ? { maxFileBytes: opts.maxFileBytes } : {}),
  };
  const workers = opts.workers ?? Math.min(availableParallelism(), 4);
  const before = columnsBefore(schema);
  let result = await normalizeInParallel(input, workers, opts.partBytes);
  if (!result) {
    const single = normalizeFiles(input);
    await freeKeyIndexes(single.lastByKey.values());
    result = single;
  }
  orderColumns(schema, before, result.fresh);

  const jobs: JobFile[] = [];
  const warnings: string[] = [];
  const nulByTable = new Map<string, number>();
  for (const f of result.written) {
    const { nulStripped, ...job } = f;
    jobs.push(job);
    if (nulStripped) nulByTable.set(f.table, (nulByTable.get(f.table) ?? 0) + nulStripped);
  }
  const rejected: Record<string, number> = {};
  for (const r of result.rejected) rejected[r.resource] = (rejected[r.resource] ?? 0) + 1;
  for (const [resource, n] of Object.entries(rejected)) {
    const first = result.rejected.find((r) => r.resource === resource)!;
    const message = `resource ${resource}: ${n} item(s) could not be normalized and were quarantined (first: ${describeRejected(first)}); the rest of the package loads`;
    log.warn(message);
    warnings.push(message);
  }
  writeRejected(outDir, result.rejected);
  for (const [column, o] of result.overflows) {
    const message = `${column}: ${o.count} number(s) do not fit DECIMAL(${o.precision},${o.scale}) and were stored in a variant column (${o.named.join("; ")}${o.count > o.named.length ? "; ..." : ""})`;
    log.warn(message);
    warnings.push(message);
  }
  for (const [table, n] of nulByTable) {
    const message = `table ${table}: removed ${n} NUL character(s) from text and json values (the destination cannot store them)`;
    log.warn(message);
    warnings.push(message);
  }
  const keySets = keySetJobs(manifest, result.roots, schema, opts.naming);
  copyKeySets(
    extractedDir,
    outDir,
    keySets.map((k) => k.file),
  );
  copyPackageState(extractedDir, outDir);
  writePackageSchema(outDir, schema.toJSON());
  const out: NormalizedManifest = {
    loadId: manifest.loadId,
    ...(manifest.packageId ? { packageId: manifest.packageId } : {}),
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
    ...(result.rejected.length > 0 ? { rejected } : {}),
    ...(keySets.length > 0 ? { keySets } : {}),
  };
  writeManifest(outDir, out);
  return out;
}

/**
 * The extracted key sets in the destination's names: the resource's root table, the key and
 * partition columns and the deletion column normalized. A soft deletion needs its column: a
 * table that lacks it (Sage's tax rates have no `deleted_at`) gets it here, nullable, so load
 * can mark rows (a table without columns has no rows yet and gets none).
 */
function keySetJobs(manifest: ExtractedManifest, roots: RootTableEntry[], schema: Schema, naming: NamingConvention): KeySetJob[] {
  const out: KeySetJob[] = [];
  for (const k of manifest.keySets ?? []) {
    const root = roots.find((r) => r.resource === k.resource);
    if (!root) continue;
    const column = naming.normalizeIdentifier(k.deletion.column);
    const table = schema.get(root.table);
    if (table && Object.keys(table.columns).length > 0 && !table.columns[column]) {
      table.columns[column] = { name: column, dataType: k.deletion.kind === "flag" ? "bool" : "timestamp", nullable: true };
    }
    out.push({
      ...k,
      table: root.table,
      keyColumn: naming.normalizeIdentifier(k.keyColumn),
      partition: Object.fromEntries(Object.entries(k.partition).map(([c, v]) => [naming.normalizeIdentifier(c), v])),
      deletion: { ...k.deletion, column },
    });
  }
  return out;
}
