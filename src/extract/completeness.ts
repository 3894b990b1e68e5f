import { readFileSync, renameSync, rmSync } from "node:fs";
import { packageFile } from "../package/files.js";
import type { IncompleteResource, RawFile } from "../package/format.js";
import { PipelineError } from "../util/errors.js";
import { LineFile } from "../util/line-file.js";
import { decodeTyped, isTyped } from "../util/typed-json.js";
import type { Partition } from "./resource.js";
import type { ResourceNode } from "./resource-graph.js";

/**
 * What a partial read leaves behind. A resource is partial when it threw (`failure`) or said
 * that parts of it could not be read (`reportIncomplete`). Whatever happens, its bound
 * incremental does not move, so the next run reads the missing part again; what happens to the
 * rows it did read depends on the write disposition:
 *
 * | disposition | threw                                   | reported parts                                  |
 * |-------------|-----------------------------------------|-------------------------------------------------|
 * | merge       | rows kept, state slot put back          | rows kept, state slot kept (its own per-part cursors) |
 * | append      | rows dropped, state slot put back       | the parts' rows dropped, state slot kept         |
 * | replace     | rows dropped, table untouched, slot put back | the same: a partial read never replaces a table |
 *
 * Merge keeps rows because each is a true current version and the next run's re-read merges
 * over them; append drops them because the re-read would append them twice; replace drops the
 * whole resource because loading it would empty the rows that were not read.
 */
export interface Settlement {
  /** commit: slot and incremental as the run left them; keep-slot: slot as left, incremental as before; restore: slot as before. */
  state: "commit" | "keep-slot" | "restore";
  rows: "keep" | "drop" | "drop-partitions";
  /** False: the resource leaves the package entirely, so its tables are not touched. */
  inManifest: boolean;
}

export function settle(node: ResourceNode): Settlement {
  const threw = node.failure !== undefined;
  if (!threw && node.incomplete.length === 0) return { state: "commit", rows: "keep", inManifest: true };
  const disposition = node.resource.writeDisposition;
  if (disposition === "replace") return { state: "restore", rows: "drop", inManifest: false };
  if (threw) return { state: "restore", rows: disposition === "merge" ? "keep" : "drop", inManifest: true };
  if (disposition === "merge") return { state: "keep-slot", rows: "keep", inManifest: true };
  const wholeResource = node.incomplete.some((p) => p.partition === undefined);
  return { state: "keep-slot", rows: wholeResource ? "drop" : "drop-partitions", inManifest: true };
}

/** An error's message (with its cause's, when that says more), or the reason as given. */
export function reasonText(reason: unknown): string {
  if (reason instanceof Error) {
    const cause = reason.cause;
    const own = reason instanceof PipelineError ? reason.message : reason.message || reason.name;
    return cause instanceof Error && !own.includes(cause.message) ? `${own}: ${reasonText(cause)}` : own;
  }
  return String(reason);
}

/** The resource's entries for the run's list of incomplete (resource, partition) pairs. */
export function incompleteEntries(node: ResourceNode, s: Settlement): IncompleteResource[] {
  const rows = s.rows === "keep" ? "kept" : "dropped";
  const name = node.resource.name;
  if (node.failure !== undefined) return [{ resource: name, reason: reasonText(node.failure), rows }];
  return node.incomplete.map((p) => ({
    resource: name,
    ...(p.partition ? { partition: { ...p.partition } } : {}),
    ...(p.label ? { label: p.label } : {}),
    reason: reasonText(p.reason),
    rows,
  }));
}

function matches(item: unknown, partition: Partition): boolean {
  if (item === null || typeof item !== "object") return false;
  const row = item as Record<string, unknown>;
  for (const [k, want] of Object.entries(partition)) {
    const raw = row[k];
    const v = typeof raw === "string" && isTyped(raw) ? decodeTyped(raw) : raw;
    if (v !== want) return false;
  }
  return true;
}

/**
 * Rewrite raw files without the root items of the given partitions (an append resource whose
 * parts failed). Returns the files that still hold items and how many items went.
 */
export function dropPartitionRows(
  packageDir: string,
  files: RawFile[],
  partitions: Partition[],
): { files: RawFile[]; dropped: number } {
  const kept: RawFile[] = [];
  let dropped = 0;
  for (const f of files) {
    const path = packageFile(packageDir, f.file);
    const lines = readFileSync(path, "utf8").split("\n");
    const out = new LineFile(`${path}.keep`);
    for (const line of lines) {
      if (line === "") continue;
      if (partitions.some((p) => matches(JSON.parse(line), p))) dropped++;
      else out.write(line);
    }
    out.close();
    rmSync(path);
    if (out.lines === 0) {
      rmSync(`${path}.keep`);
      continue;
    }
    renameSync(`${path}.keep`, path);
    kept.push({ ...f, items: out.lines });
  }
  return { files: kept, dropped };
}

/** Delete a resource's raw files (its rows must not load). */
export function dropFiles(packageDir: string, files: RawFile[]): number {
  let dropped = 0;
  for (const f of files) {
    rmSync(packageFile(packageDir, f.file), { force: true });
    dropped += f.items;
  }
  return dropped;
}
