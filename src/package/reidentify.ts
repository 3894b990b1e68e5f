import { closeSync, copyFileSync, cpSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { C_LOAD_ID } from "../schema/system-tables.js";
import { forEachLine } from "../util/line-reader.js";
import { readNormalizedManifest, readPackageSchema, readRejectedFile, rejectedFile, writeManifest } from "./files.js";
import type { JobFile, JobFolder, RejectedItem } from "./format.js";

const JOB_FOLDERS: readonly JobFolder[] = ["new_jobs", "started_jobs", "completed_jobs", "failed_jobs"];

/**
 * Copy the normalized package in `from` to `to` as load `newId`: every row's `_dlt_load_id`, the
 * manifest's load id and the quarantined items' load id are rewritten, everything else is copied
 * as is. The manifest records `replaces` so that a crash after `to` is committed and before `from`
 * is deleted cannot leave two packages with the same rows (see `PackageStore.settleReidentified`).
 *
 * Rows are rewritten in their file's own format rather than normalized again: the raw files are
 * gone once a package is normalized. A file whose table has `_dlt_load_id` must hold the old id
 * once per row; anything else is refused, so a rewrite can fail but never half-succeed silently.
 */
export function copyAsLoad(from: string, to: string, newId: string): void {
  const manifest = readNormalizedManifest(from);
  const oldId = manifest.loadId;
  const schema = readPackageSchema(from);
  const withLoadId = new Set(schema.tables.filter((t) => t.columns[C_LOAD_ID]).map((t) => t.name));
  const carriesLoadId = (table: string) => withLoadId.has(table);
  const jobs = new Map(manifest.jobs.map((j) => [j.file, j]));
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const src = join(from, entry);
    if ((JOB_FOLDERS as readonly string[]).includes(entry)) {
      mkdirSync(join(to, entry), { recursive: true });
      for (const f of readdirSync(src)) {
        const job = jobs.get(f);
        if (job && carriesLoadId(job.table)) rewriteJob(join(src, f), join(to, entry, f), job, oldId, newId);
        else copyFileSync(join(src, f), join(to, entry, f)); // `.exception` notes, tables without the column
      }
    } else if (entry === "manifest.json" || entry === "rejected.jsonl") {
      continue; // written below
    } else if (statSync(src).isDirectory()) {
      cpSync(src, join(to, entry), { recursive: true });
    } else {
      copyFileSync(src, join(to, entry));
    }
  }
  const rejected = readRejectedFile(rejectedFile(from));
  if (rejected.length > 0) writeRejected(rejectedFile(to), rejected, newId);
  writeManifest(to, { ...manifest, loadId: newId, replaces: oldId });
}

/** Quarantined items as load `newId` (a package's `rejected.jsonl` or the kept copy). */
export function writeRejected(file: string, items: RejectedItem[], newId: string): void {
  const fd = openSync(file, "w");
  try {
    for (const item of items) writeSync(fd, `${JSON.stringify({ ...item, loadId: newId })}\n`);
  } finally {
    closeSync(fd);
  }
}

/** One job file with `_dlt_load_id` rewritten; refuses a file where the old id is not once per row. */
function rewriteJob(src: string, dest: string, job: JobFile, oldId: string, newId: string): void {
  const rewrite = (job.format ?? "jsonl") === "jsonl" ? jsonlRewriter(oldId, newId) : copyTextRewriter(job, oldId, newId);
  const fd = openSync(dest, "w");
  let rows = 0;
  let replaced = 0;
  try {
    const parts: string[] = [];
    let bytes = 0;
    forEachLine(src, (line) => {
      rows++;
      const out = rewrite(line);
      if (out !== undefined) replaced++;
      const text = `${out ?? line}\n`;
      parts.push(text);
      bytes += text.length;
      if (bytes > 1 << 20) {
        writeSync(fd, parts.join(""));
        parts.length = 0;
        bytes = 0;
      }
    });
    if (parts.length > 0) writeSync(fd, parts.join(""));
  } finally {
    closeSync(fd);
  }
  if (replaced !== rows || rows !== job.rows) {
    throw new Error(
      `cannot give job ${job.file} (table ${job.table}) the load id ${newId}: ${replaced} of its ${rows} lines ` +
        `(${job.rows} in the manifest) carry ${C_LOAD_ID} ${oldId}; the package is left as it was`,
    );
  }
}

/** jsonl lines are written by JSON.stringify: `"_dlt_load_id":"<id>"` only occurs as that key and value. */
function jsonlRewriter(oldId: string, newId: string): (line: string) => string | undefined {
  const needle = `${JSON.stringify(C_LOAD_ID)}:${JSON.stringify(oldId)}`;
  const replacement = `${JSON.stringify(C_LOAD_ID)}:${JSON.stringify(newId)}`;
  return (line) => {
    const at = line.indexOf(needle);
    if (at < 0 || line.indexOf(needle, at + needle.length) >= 0) return undefined;
    return line.slice(0, at) + replacement + line.slice(at + needle.length);
  };
}

/** COPY text lines: tab-separated fields in `job.columns` order (tabs inside values are escaped). */
function copyTextRewriter(job: JobFile, oldId: string, newId: string): (line: string) => string | undefined {
  const index = (job.columns ?? []).indexOf(C_LOAD_ID);
  return (line) => {
    if (index < 0) return undefined;
    const fields = line.split("\t");
    if (fields[index] !== oldId) return undefined;
    fields[index] = newId;
    return fields.join("\t");
  };
}
