import { compareLoadIds } from "../../package/format.js";
import type { Bucket } from "./bucket.js";
import { type DataFile, type NamedFile, parseKey } from "./layout.js";
import { loadVerdict } from "../load-identity.js";

/** One `_dlt_loads` file: dlt's columns, plus the files this load made obsolete. */
export interface LoadMarker {
  load_id: string;
  schema_name: string;
  status: number;
  inserted_at: string;
  schema_version_hash: string;
  /** The package this load was (see `newPackageId`); absent in markers of older engines. */
  package_id?: string;
  /**
   * Keys of data files that replace or merge rewrote in this load. They stop counting the moment
   * this marker exists, and are deleted right after it (or by the next load if that was cut off).
   */
  replaced_files?: string[];
  /** The longest load-file line of this load, so readers can size DuckDB's JSON buffers. */
  max_row_bytes?: number;
}

/**
 * What a filesystem dataset holds as of now, read from one listing. A load is committed when its
 * `_dlt_loads` marker exists; readers only see data, state and version files of committed loads,
 * minus the files a committed load replaced. That gives a file destination the same
 * all-or-nothing visibility as a database transaction.
 */
export class DatasetCatalog {
  readonly markers = new Map<string, { file: NamedFile; marker: LoadMarker }>();
  readonly dataFiles: DataFile[] = [];
  readonly versionFiles: NamedFile[] = [];
  readonly stateFiles: NamedFile[] = [];
  readonly replaced = new Set<string>();

  private constructor(readonly dataset: string) {}

  /**
   * List the dataset and read its markers. Markers never change once written, so `cache` (kept
   * by the client) saves reading them again.
   */
  static async read(bucket: Bucket, dataset: string, cache: Map<string, LoadMarker>): Promise<DatasetCatalog> {
    const c = new DatasetCatalog(dataset);
    const markerFiles: NamedFile[] = [];
    for (const key of await bucket.list(`${dataset}/`)) {
      const p = parseKey(dataset, key);
      if (!p) continue;
      if (p.kind === "data") c.dataFiles.push(p.file);
      else if (p.kind === "marker") markerFiles.push(p.file);
      else if (p.kind === "version") c.versionFiles.push(p.file);
      else c.stateFiles.push(p.file);
    }
    await Promise.all(
      markerFiles.map(async (f) => {
        let m = cache.get(f.key);
        if (!m) {
          m = JSON.parse((await bucket.readText(f.key)).trim().split("\n")[0]!) as LoadMarker;
          cache.set(f.key, m);
        }
        if (m.status === 0) c.markers.set(f.loadId, { file: f, marker: m });
      }),
    );
    for (const { marker } of c.markers.values()) for (const k of marker.replaced_files ?? []) c.replaced.add(k);
    return c;
  }

  /** The longest JSON line in any committed load (DuckDB's read_json must fit a whole row). */
  get maxRowBytes(): number {
    let max = 0;
    for (const { marker } of this.markers.values()) max = Math.max(max, marker.max_row_bytes ?? 0);
    return max;
  }

  isCommitted(loadId: string): boolean {
    return this.markers.has(loadId);
  }

  /** Whether package `packageId` is committed as `loadId`; `LoadIdTaken` when another package is (see load-identity.ts). */
  holds(loadId: string, packageId: string | undefined): boolean {
    const m = this.markers.get(loadId);
    return loadVerdict(loadId, packageId, m ? [m.marker.package_id] : []);
  }

  /** The table's files readers see: committed and not replaced, oldest load first. */
  visibleFiles(table: string): DataFile[] {
    return this.dataFiles
      .filter((f) => f.table === table && this.isCommitted(f.loadId) && !this.replaced.has(f.key))
      .sort((a, b) => compareLoadIds(a.loadId, b.loadId) || a.key.localeCompare(b.key));
  }

  /** Replaced files still present: a load was cut off between its marker and its clean-up. */
  leftovers(): string[] {
    return this.dataFiles.filter((f) => this.replaced.has(f.key)).map((f) => f.key);
  }

  /** The newest committed `_dlt_version` file of a schema. */
  newestVersion(schemaName: string): NamedFile | undefined {
    return this.versionFiles
      .filter((f) => f.name === schemaName && this.isCommitted(f.loadId))
      .sort((a, b) => compareLoadIds(b.loadId, a.loadId))[0];
  }

  /** Schema names with a committed version. */
  schemaNames(): string[] {
    return [...new Set(this.versionFiles.filter((f) => this.isCommitted(f.loadId)).map((f) => f.name))];
  }

  /** Committed state files of one pipeline, newest load first. */
  committedStates(pipelineName: string): NamedFile[] {
    return this.stateFiles
      .filter((f) => f.name === pipelineName && this.isCommitted(f.loadId))
      .sort((a, b) => compareLoadIds(b.loadId, a.loadId));
  }
}
