import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import type { StoredSchema } from "../schema/schema.js";
import { DataError } from "../util/errors.js";
import { writeJsonAtomic } from "../util/fs-atomic.js";
import type { ExtractedManifest, JobFolder, LoadedMarker, NormalizedManifest, RejectedItem } from "./format.js";

/**
 * The files inside one package folder, by name. This module is the only place that knows
 * them: `manifest.json` (what the package holds), `schema.json` (normalized packages: the
 * schema the jobs were written for), `state.json` (the pipeline state as it will be once the
 * package is loaded), `raw/` (extracted items) and the job folders (`new_jobs/`, ...).
 * Folders move between states by rename (store.ts); the files inside never change name.
 */
const MANIFEST = "manifest.json";
const SCHEMA = "schema.json";
const STATE = "state.json";
const RAW = "raw";
/** Items normalize quarantined (normalized packages). */
const REJECTED = "rejected.jsonl";
/** Failed attempts at a pending package (and, once moved aside, why it failed). */
const ATTEMPTS = "attempts.json";
/** Key sets (the ids a source holds per part of a resource): `keys/<n>.json`, a JSON array each. */
const KEYS = "keys";
/** Written last into a loaded package: how its load ended. */
const COMPLETED_MARKER = "package_completed.json";

/** Longest stem of a file name on disk: names stay far below every filesystem's 255 bytes. */
const MAX_STEM_BYTES = 100;

/** Turns the parsed `state.json` into the caller's state type (the pipeline owns its shape). */
export type StateParser<S> = (value: unknown, file: string) => S;

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new DataError(`the ${what} ${file} cannot be read (${(err as Error).message})`, {
      hint: "the package is damaged; drop it with `sage-pipeline pipeline <name> drop-pending-packages` and run again",
      cause: err,
    });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataError(`the ${what} ${file} is not valid JSON (${(err as Error).message})`, {
      hint: "the package is damaged; drop it with `sage-pipeline pipeline <name> drop-pending-packages` and run again",
      cause: err,
    });
  }
}

export function readExtractedManifest(dir: string): ExtractedManifest {
  return readJson(join(dir, MANIFEST), "package manifest") as ExtractedManifest;
}

export function readNormalizedManifest(dir: string): NormalizedManifest {
  return readJson(join(dir, MANIFEST), "package manifest") as NormalizedManifest;
}

export function writeManifest(dir: string, manifest: ExtractedManifest | NormalizedManifest): void {
  writeJsonAtomic(join(dir, MANIFEST), manifest);
}

export function readPackageSchema(dir: string): StoredSchema {
  return readJson(join(dir, SCHEMA), "package schema") as StoredSchema;
}

export function writePackageSchema(dir: string, schema: StoredSchema): void {
  writeJsonAtomic(join(dir, SCHEMA), schema);
}

/** The package's state, parsed by `parse`; undefined when the package carries none. */
export function readPackageState<S>(dir: string, parse: StateParser<S>): S | undefined {
  const f = join(dir, STATE);
  return existsSync(f) ? parse(readJson(f, "package state"), f) : undefined;
}

export function writePackageState(dir: string, state: unknown): void {
  writeJsonAtomic(join(dir, STATE), state);
}

/** Normalize hands the extracted package's state on unchanged. */
export function copyPackageState(from: string, to: string): void {
  if (existsSync(join(from, STATE))) copyFileSync(join(from, STATE), join(to, STATE));
}

/** The quarantined items of a package folder, one JSON object a line; nothing when there are none. */
export function writeRejected(dir: string, items: RejectedItem[]): void {
  if (items.length === 0) return;
  writeFileSync(join(dir, REJECTED), items.map((i) => JSON.stringify(i)).join("\n") + "\n");
}

/** `contacts item 3 of raw/000_contacts.0.jsonl (business b1, id c3): <reason>`. */
export function describeRejected(r: RejectedItem): string {
  const who = [r.business !== undefined ? `business ${r.business}` : "", r.id !== undefined ? `id ${r.id}` : ""]
    .filter(Boolean)
    .join(", ");
  return `${r.resource} item ${r.index} of ${r.file}${who ? ` (${who})` : ""}${r.page !== undefined ? ` from ${r.page}` : ""}: ${r.reason}`;
}

export function rejectedFile(dir: string): string {
  return join(dir, REJECTED);
}

/** The items of a rejected file (a package's, or a kept copy in `packages/rejected/`). */
export function readRejectedFile(file: string): RejectedItem[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as RejectedItem);
}

export interface AttemptRecord {
  attempts: number;
  step: string;
  reason: string;
  at: string;
}

export function readAttempts(dir: string): number {
  const f = join(dir, ATTEMPTS);
  return existsSync(f) ? (readJson(f, "attempt record") as AttemptRecord).attempts : 0;
}

export function writeAttempts(dir: string, record: AttemptRecord): void {
  writeJsonAtomic(join(dir, ATTEMPTS), record);
}

export function readFailure(dir: string): AttemptRecord {
  const f = join(dir, ATTEMPTS);
  return existsSync(f)
    ? (readJson(f, "attempt record") as AttemptRecord)
    : { attempts: 0, step: "?", reason: "(no record)", at: "" };
}

/** Write the `n`th key set of a package; returns its manifest name (`keys/3.json`). */
export function writeKeySet(dir: string, n: number, keys: readonly string[]): string {
  const name = `${KEYS}/${n}.json`;
  mkdirSync(join(dir, KEYS), { recursive: true });
  writeFileSync(join(dir, name), JSON.stringify(keys));
  return name;
}

/** The keys of a key set file (by its manifest name). */
export function readKeySet(dir: string, file: string): string[] {
  const v = readJson(join(dir, file), "key set");
  if (!Array.isArray(v) || v.some((k) => typeof k !== "string")) {
    throw new DataError(`the key set ${join(dir, file)} is not a JSON array of strings`, {
      hint: "the package is damaged; drop it with `sage-pipeline pipeline <name> drop-pending-packages` and run again",
    });
  }
  return v as string[];
}

/** Normalize hands the key set files on unchanged (same names). */
export function copyKeySets(from: string, to: string, files: readonly string[]): void {
  if (files.length === 0) return;
  mkdirSync(join(to, KEYS), { recursive: true });
  for (const f of files) copyFileSync(join(from, f), join(to, f));
}

/** How a loaded package's load ended (absent in packages loaded before the marker existed). */
export function readCompletedMarker(dir: string): LoadedMarker | undefined {
  const f = join(dir, COMPLETED_MARKER);
  return existsSync(f) ? (readJson(f, "completed marker") as LoadedMarker) : undefined;
}

export function writeCompletedMarker(dir: string, marker: LoadedMarker): void {
  writeJsonAtomic(join(dir, COMPLETED_MARKER), marker);
}

/** A file of the package by its manifest name (`raw/000_contacts.0.jsonl`). */
export function packageFile(dir: string, file: string): string {
  return join(dir, file);
}

export function rawFolder(dir: string): string {
  return join(dir, RAW);
}

/** Manifest name of the `index`th raw file of a stem (the stem is bounded by `boundedStem`). */
export function rawFileName(stem: string, index: number): string {
  return `${RAW}/${stem}.${index}.jsonl`;
}

export function jobFolder(dir: string, folder: JobFolder): string {
  return join(dir, folder);
}

/**
 * `name` as a file-name stem of at most 100 bytes: unchanged when short enough, else its head
 * and a hash of the whole, so two long table names never share a stem. Table names are already
 * normalized (letters, digits, `_`), but a stem never contains a path separator either way.
 */
export function boundedStem(name: string): string {
  const safe = name.replace(/[/\\\0]|^\.+/g, "_");
  if (Buffer.byteLength(safe, "utf8") <= MAX_STEM_BYTES) return safe;
  const tag = createHash("sha256").update(name, "utf8").digest("hex").slice(0, 16);
  let head = "";
  let bytes = 0;
  for (const ch of safe) {
    const n = Buffer.byteLength(ch, "utf8");
    if (bytes + n > MAX_STEM_BYTES - tag.length - 1) break;
    head += ch;
    bytes += n;
  }
  return `${head}_${tag}`;
}

/** dlt's job file name, `<table>.<file_id>.<retry_count>.<ext>`, with the table part bounded. */
export function jobFileName(table: string, fileId: string, extension: string): string {
  return `${boundedStem(table)}.${fileId}.0.${extension}`;
}

/** The `<file_id>` of a job file name (the table part may be hash-shortened, so read from the end). */
export function jobFileId(jobFile: string): string {
  const parts = jobFile.split(".");
  return parts[parts.length - 3] ?? jobFile;
}
