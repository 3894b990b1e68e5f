import { randomBytes } from "node:crypto";
import type { ColumnHint, SchemaContract, WriteDisposition } from "../schema/types.js";
import type { LoadFileFormat } from "../writers/index.js";

/**
 * The files inside a load package. A package is the unit of exactly-once: it moves
 * `extracted → normalized → loaded` by atomic folder renames, and its pipeline state is
 * committed to the destination in the same transaction as its data.
 */

/** What extract recorded about a resource (source names; normalize applies the naming). */
export interface ResourceManifest {
  name: string;
  /** The static table name (source spelling), when the resource has one. */
  tableName?: string;
  writeDisposition: WriteDisposition;
  primaryKey?: string[];
  mergeKey?: string[];
  columns?: Record<string, ColumnHint>;
  maxTableNesting?: number;
  schemaContract?: SchemaContract;
  items: number;
  pages: number;
}

export interface RawFile {
  file: string;
  resource: string;
  /** Table name as the resource gave it (before naming). */
  table: string;
  items: number;
  /**
   * Where each page's items start in this file (1-based line) and the page's URL, redacted; absent
   * when the resource did not say (`tagPageUrl`). Normalize names the page of a bad item from it.
   */
  pages?: { line: number; url: string }[];
}

/** A resource, or one partition of it, that a package did not read completely (see extract/completeness.ts). */
export interface IncompleteResource {
  resource: string;
  /** Column values of the root rows it covers (`{ business_id: "b1" }`); absent: the whole resource. */
  partition?: Record<string, string | number | boolean>;
  /** The partition in words: `business "Acme Ltd" (b1)`. */
  label?: string;
  reason: string;
  /** What happened to the rows that were read. */
  rows: "kept" | "dropped";
}

/** A (resource, partition) the source left out on purpose: not there for this login (see SkippedPart). */
export interface SkippedResource {
  resource: string;
  partition?: Record<string, string | number | boolean>;
  label?: string;
  reason: string;
  status?: number;
}

export interface ExtractedManifest {
  loadId: string;
  /** This package's own identity, beside its load id: see `newPackageId`. Absent in older packages. */
  packageId?: string;
  pipelineName: string;
  sourceName: string;
  schemaName: string;
  createdAt: string;
  resources: ResourceManifest[];
  files: RawFile[];
  /** False when this package only exists to carry data, its state equal to the previous one. */
  stateChanged: boolean;
  /** What this package misses: its cursors did not move past it. Absent when complete. */
  incomplete?: IncompleteResource[];
  /** Key sets of parts read in full this run, for the reconciliation (absent: none). */
  keySets?: KeySet[];
  /** Parts left out on purpose (403/404/no subscription), absent when none. */
  skipped?: SkippedResource[];
}

/**
 * How rows that are in the destination but not in a key set go: removed (`hard`), or kept and
 * marked in `column` (a timestamp set to `at`, or a boolean flag set to true), as the source's
 * own deletions are.
 */
export interface KeySetDeletion {
  hard: boolean;
  column: string;
  kind: "timestamp" | "flag";
  /** The value of a timestamp mark (the source's clock when it listed the keys). */
  at: string;
}

/**
 * Every key a source holds for one part of a resource (a business), read in full this run: the
 * reconciliation. After the package's rows are in, rows of that part whose key is not in the set
 * are gone from the source: with `mode: "deletions"` they go as `deletion` says, with
 * `mode: "replace"` (a full refresh) they are removed, so the part holds exactly what was read.
 * Names are the source's spelling; normalize gives them the destination's.
 */
export interface KeySet {
  resource: string;
  /** Column values of the root rows it covers (`{ business_id: "b1" }`). */
  partition: Record<string, string | number | boolean>;
  /** The partition in words: `business "Acme Ltd" (b1)`. */
  label?: string;
  /** The key column (one column: the rest of the key is the partition). */
  keyColumn: string;
  /** What the source said it holds (Sage: `$total` of the first page), when it said. */
  total?: number;
  /** How many keys the file holds. */
  count: number;
  /** The package file with the keys (a JSON array of strings). */
  file: string;
  mode: "replace" | "deletions";
  deletion: KeySetDeletion;
}

/** A key set with the destination's table and column names (normalized packages). */
export interface KeySetJob extends KeySet {
  table: string;
}

export interface JobFile {
  table: string;
  file: string;
  /** Absent in packages written before formats existed: jsonl. */
  format?: LoadFileFormat;
  /** copy_text: the file's columns, in line order. */
  columns?: string[];
  rows: number;
  bytes: number;
  /** The longest line, for readers that size their buffers by it. */
  maxRowBytes?: number;
}

export interface RootTableEntry {
  table: string;
  resource: string;
  writeDisposition: WriteDisposition;
}

export interface NormalizedManifest {
  loadId: string;
  /** Carried from the extracted package; recorded in `_dlt_loads.package_id` with the load. */
  packageId?: string;
  /**
   * Set when this package was renamed to a new load id because its old one was taken in the
   * destination (see `PackageStore.reidentify`): the folder of the old id is a leftover to delete.
   */
  replaces?: string;
  pipelineName: string;
  sourceName: string;
  schemaName: string;
  createdAt: string;
  normalizedAt: string;
  jobs: JobFile[];
  /** Every root table the package touches, also those of resources that yielded nothing
   * (a `replace` resource with no rows still empties its tables). */
  rootTables: RootTableEntry[];
  rowCounts: Record<string, number>;
  /** Root rows of merge tables replaced by a later row with the same key in this package. */
  superseded: Record<string, string[]>;
  stats: { discardedRows: number; discardedValues: number; variantValues: number };
  stateChanged: boolean;
  warnings: string[];
  /** Items quarantined in `rejected.jsonl` (absent: none), per resource. */
  rejected?: Record<string, number>;
  /** Key sets to reconcile the destination with, after the package's rows are in (absent: none). */
  keySets?: KeySetJob[];
  /**
   * `pipeline X drop`: the resources this package drops (source spelling) and their tables,
   * nested ones included, dropped in the destination in the same commit. Such a package carries
   * no jobs, only the schema without those tables and the state without those resources.
   */
  drop?: PackageDrop;
}

/** What a drop package removes; see `NormalizedManifest.drop`. */
export interface PackageDrop {
  resources: string[];
  /** Child tables before their parents. */
  tables: string[];
}

/**
 * An item normalize could not turn into rows (no primary key for a merge, a shape the rules
 * cannot take): kept aside with where it came from, while the rest of its package loads.
 */
export interface RejectedItem {
  loadId: string;
  resource: string;
  table: string;
  /** The item's `business_id`, when it has one (the Sage sources add it to every row). */
  business?: string;
  /** The item's `id`, when it has one. */
  id?: string;
  /** Raw file and 1-based item position in it. */
  file: string;
  index: number;
  /** The URL of the page the item came from (redacted), when the resource tagged its pages. */
  page?: string;
  reason: string;
  /** The item as extract wrote it, cut at 2,000 characters. */
  item: string;
}

export type JobFolder = "new_jobs" | "started_jobs" | "completed_jobs" | "failed_jobs";

export interface LoadedMarker {
  loadId: string;
  status: "loaded" | "aborted";
  loadedAt: string;
  /** True when the destination already held this load id and only the folder move remained. */
  alreadyLoaded: boolean;
}

/**
 * A package's identity, drawn at random when it is created (72 bits). The load id alone cannot be
 * one: workers of one pipeline create packages on different machines, and two of them may draw the
 * same load id. The destination records this beside the load id, so that "is load X in?" can tell
 * this package from another one that had the same id (see `loadVerdict`).
 */
export function newPackageId(): string {
  return randomBytes(9).toString("base64url");
}

/**
 * dlt's load id: a unix timestamp with microseconds, strictly increasing per pipeline. The clock
 * gives milliseconds, so the microseconds within one are drawn at random: workers of one pipeline
 * (one per business) start packages in the same millisecond, and the destination's "already
 * loaded?" check keys on the load id, so a second package with the same id would be skipped as
 * loaded and its rows lost (seen in test/runtime/shared-limits: one business's rows missing).
 * That makes a collision rare; the package id makes it harmless (the destination tells the two
 * packages apart and the second one is renamed, see `PackageStore.reidentify`).
 */
export function newLoadId(after?: string): string {
  const micros = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  const id = `${String(Math.floor(micros / 1e6))}.${String(micros % 1e6).padStart(6, "0")}`;
  if (after && compareLoadIds(id, after) <= 0) return (Number(after) + 0.000001).toFixed(6);
  return id;
}

export function compareLoadIds(a: string, b: string): number {
  return Number(a) - Number(b);
}
