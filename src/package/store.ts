import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StoredSchema } from "../schema/schema.js";
import { renameDurable } from "../util/fs-atomic.js";
import { copyAsLoad, writeRejected } from "./reidentify.js";
import {
  type StateParser,
  jobFolder,
  rawFolder,
  readExtractedManifest,
  readNormalizedManifest,
  readPackageSchema,
  readPackageState,
  readAttempts,
  readCompletedMarker,
  readFailure,
  readRejectedFile,
  rejectedFile,
  writeAttempts,
  writeCompletedMarker,
  writeManifest,
  writePackageSchema,
  writePackageState,
} from "./files.js";
import {
  type ExtractedManifest,
  type JobFolder,
  type LoadedMarker,
  type NormalizedManifest,
  type RejectedItem,
  compareLoadIds,
} from "./format.js";

const JOB_FOLDERS: readonly JobFolder[] = ["new_jobs", "started_jobs", "completed_jobs", "failed_jobs"];

/**
 * The package folders of one pipeline's working dir:
 * `packages/<load_id>.tmp` (being extracted), `packages/extracted/<load_id>`,
 * `packages/normalized/<load_id>(.tmp)`, `packages/loaded/<load_id>`.
 * Every transition is one atomic rename, so a crash leaves each package in exactly one state.
 */
export class PackageStore<S = unknown> {
  readonly root: string;

  /** `parseState` gives `state.json` its type: the pipeline owns the state's shape. */
  constructor(
    workingDir: string,
    private readonly parseState: StateParser<S>,
  ) {
    this.root = join(workingDir, "packages");
  }

  private dir(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  extractTmp(loadId: string): string {
    const d = this.dir(`${loadId}.tmp`);
    mkdirSync(rawFolder(d), { recursive: true });
    return d;
  }

  extracted(loadId: string): string {
    return this.dir("extracted", loadId);
  }

  normalizeTmp(loadId: string): string {
    const d = this.dir("normalized", `${loadId}.tmp`);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(jobFolder(d, "new_jobs"), { recursive: true });
    return d;
  }

  normalized(loadId: string): string {
    return this.dir("normalized", loadId);
  }

  loaded(loadId: string): string {
    return this.dir("loaded", loadId);
  }

  commitExtracted(loadId: string): void {
    renameDurable(this.dir(`${loadId}.tmp`), this.extracted(loadId));
  }

  /**
   * The normalized folder replaces the extracted one: rename first, then delete the source.
   * Quarantined items are copied to `rejected/<load_id>.jsonl` first, so they outlive the package.
   */
  commitNormalized(loadId: string): void {
    const tmp = this.dir("normalized", `${loadId}.tmp`);
    if (existsSync(rejectedFile(tmp))) {
      mkdirSync(this.dir("rejected"), { recursive: true });
      copyFileSync(rejectedFile(tmp), this.dir("rejected", `${loadId}.jsonl`));
    }
    renameDurable(tmp, this.normalized(loadId));
    rmSync(this.extracted(loadId), { recursive: true, force: true });
  }

  commitLoaded(loadId: string, marker: LoadedMarker): void {
    writeCompletedMarker(this.normalized(loadId), marker);
    renameDurable(this.normalized(loadId), this.loaded(loadId));
  }

  /**
   * dlt's `delete_completed_jobs`: remove loaded packages but the newest `keep` (their
   * quarantined items stay in `rejected/`). Returns the load ids removed.
   */
  pruneLoaded(keep: number): string[] {
    const ids = this.list("loaded");
    const drop = ids.slice(0, Math.max(0, ids.length - keep));
    for (const id of drop) rmSync(this.loaded(id), { recursive: true, force: true });
    return drop;
  }

  /**
   * Give the normalized package `oldId` the load id `newId`, because the destination holds another
   * package under `oldId` (workers of one pipeline drew the same id). The copy is built in a `.tmp`
   * folder and renamed into place, then the old folder goes; a crash between the two leaves the old
   * folder, which `settleReidentified` removes (the new manifest names it in `replaces`).
   */
  reidentify(oldId: string, newId: string): void {
    const tmp = this.normalizeTmp(newId);
    rmSync(tmp, { recursive: true, force: true });
    try {
      copyAsLoad(this.normalized(oldId), tmp, newId);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    const kept = this.dir("rejected", `${oldId}.jsonl`);
    if (existsSync(kept)) writeRejected(this.dir("rejected", `${newId}.jsonl`), readRejectedFile(kept), newId);
    renameDurable(tmp, this.normalized(newId));
    this.settleReidentified();
  }

  /** Remove packages that a renamed copy replaced (see `reidentify`). */
  settleReidentified(): void {
    for (const id of this.list("normalized")) {
      if (!existsSync(this.normalized(id))) continue; // replaced by one listed before it
      const replaces = readNormalizedManifest(this.normalized(id)).replaces;
      if (!replaces || replaces === id) continue;
      rmSync(this.normalized(replaces), { recursive: true, force: true });
      rmSync(this.dir("rejected", `${replaces}.jsonl`), { force: true });
    }
  }

  /** Leftovers of a crash in the middle of a step: nothing in them was committed. */
  removeTemporaries(): void {
    this.settleReidentified();
    for (const base of [this.root, this.dir("normalized")]) {
      if (!existsSync(base)) continue;
      for (const name of readdirSync(base)) {
        if (name.endsWith(".tmp")) rmSync(join(base, name), { recursive: true, force: true });
      }
    }
    // A crash between the rename into normalized/ and the delete of extracted/ leaves both.
    for (const id of this.list("extracted")) {
      if (existsSync(this.normalized(id)) || existsSync(this.loaded(id))) {
        rmSync(this.extracted(id), { recursive: true, force: true });
      }
    }
  }

  /**
   * Count a failed attempt at a pending package (`extracted`: normalize failed, `normalized`:
   * load failed). At `maxAttempts` the package is moved aside to `failed/<load_id>` with the
   * reason, so it blocks no later run; its cursors never committed, so its data is read again.
   */
  recordFailedAttempt(
    loadId: string,
    status: "extracted" | "normalized",
    reason: string,
    maxAttempts: number,
  ): { attempts: number; movedAside: boolean } {
    const dir = status === "extracted" ? this.extracted(loadId) : this.normalized(loadId);
    if (!existsSync(dir)) return { attempts: 0, movedAside: false };
    const previous = readAttempts(dir);
    const attempts = previous + 1;
    writeAttempts(dir, { attempts, step: status === "extracted" ? "normalize" : "load", reason, at: new Date().toISOString() });
    if (attempts < maxAttempts) return { attempts, movedAside: false };
    renameDurable(dir, this.dir("failed", loadId));
    return { attempts, movedAside: true };
  }

  /** Packages moved aside after too many failed attempts, with why. */
  failedPackages(): Array<{ loadId: string; attempts: number; step: string; reason: string; at: string }> {
    return this.list("failed").map((loadId) => ({ loadId, ...readFailure(this.dir("failed", loadId)) }));
  }

  list(status: "extracted" | "normalized" | "loaded" | "failed"): string[] {
    const d = this.dir(status);
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .filter((n) => !n.endsWith(".tmp") && /^\d+(\.\d+)?$/.test(n))
      .sort(compareLoadIds);
  }

  /** The newest load id this working dir has seen, in any state. */
  lastLoadId(): string | undefined {
    const all = [...this.list("extracted"), ...this.list("normalized"), ...this.list("loaded"), ...this.list("failed")].sort(
      compareLoadIds,
    );
    return all[all.length - 1];
  }

  readExtractedManifest(loadId: string): ExtractedManifest {
    return readExtractedManifest(this.extracted(loadId));
  }

  readNormalizedManifest(loadId: string, status: "normalized" | "loaded" = "normalized"): NormalizedManifest {
    return readNormalizedManifest(status === "normalized" ? this.normalized(loadId) : this.loaded(loadId));
  }

  /** The schema a normalized package's jobs were written for. */
  readSchema(loadId: string): StoredSchema {
    return readPackageSchema(this.normalized(loadId));
  }

  /** A loaded package as it was loaded: its marker and the schema its jobs were written for. */
  readLoaded(loadId: string): { marker: LoadedMarker | undefined; schema: StoredSchema } {
    return { marker: readCompletedMarker(this.loaded(loadId)), schema: readPackageSchema(this.loaded(loadId)) };
  }

  /** The state of a package folder (`extracted`, `normalized` or a `.tmp` one), typed. */
  readState(dir: string): S | undefined {
    return readPackageState(dir, this.parseState);
  }

  /** The last files extract writes into its `.tmp` folder, before `commitExtracted`. */
  writeExtracted(dir: string, manifest: ExtractedManifest, state: S): void {
    writePackageState(dir, state);
    writeManifest(dir, manifest);
  }

  /** The schema of a normalized `.tmp` folder, when its version changed after normalize wrote it. */
  writeSchema(dir: string, schema: StoredSchema): void {
    writePackageSchema(dir, schema);
  }

  /**
   * A package without rows, written straight into `normalized/` (`pipeline X drop`): its
   * manifest, schema and state go into a `.tmp` folder that is then renamed into place, as
   * normalize's output is, so the next load commits it like any other package.
   */
  writeNormalizedPackage(manifest: NormalizedManifest, schema: StoredSchema, state: S): void {
    const tmp = this.normalizeTmp(manifest.loadId);
    writePackageSchema(tmp, schema);
    writePackageState(tmp, state);
    writeManifest(tmp, manifest);
    this.commitNormalized(manifest.loadId);
  }

  /** State folders of the pending packages (normalized and extracted), newest load id last. */
  pendingDirs(): string[] {
    const all = [
      ...this.list("normalized").map((id) => ({ id, dir: this.normalized(id) })),
      ...this.list("extracted").map((id) => ({ id, dir: this.extracted(id) })),
    ];
    return all.sort((a, b) => compareLoadIds(a.id, b.id)).map((p) => p.dir);
  }

  /** Every quarantined item this working dir kept, oldest package first. */
  rejectedItems(): RejectedItem[] {
    const d = this.dir("rejected");
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .filter((f) => f.endsWith(".jsonl"))
      .map((f) => f.slice(0, -6))
      .sort(compareLoadIds)
      .flatMap((id) => readRejectedFile(this.dir("rejected", `${id}.jsonl`)));
  }

  jobFiles(loadId: string, folder: JobFolder): string[] {
    const d = jobFolder(this.normalized(loadId), folder);
    return existsSync(d)
      ? readdirSync(d)
          .filter((f) => !f.endsWith(".exception"))
          .sort()
      : [];
  }

  /** Move a job file between job folders (`new → started → completed | failed`). */
  moveJob(loadId: string, file: string, from: JobFolder, to: JobFolder): void {
    const base = this.normalized(loadId);
    mkdirSync(jobFolder(base, to), { recursive: true });
    renameSync(join(jobFolder(base, from), file), join(jobFolder(base, to), file));
  }

  moveAllJobs(loadId: string, from: JobFolder, to: JobFolder): void {
    for (const f of this.jobFiles(loadId, from)) {
      this.moveJob(loadId, f, from, to);
      if (from === "failed_jobs") rmSync(join(jobFolder(this.normalized(loadId), from), `${f}.exception`), { force: true });
    }
  }

  recordJobFailure(loadId: string, file: string, message: string): void {
    const d = jobFolder(this.normalized(loadId), "failed_jobs");
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `${file}.exception`), message);
  }

  /** The message a failed job of a pending package recorded, if any. */
  jobFailure(loadId: string, file: string): string | undefined {
    const f = join(jobFolder(this.normalized(loadId), "failed_jobs"), `${file}.exception`);
    return existsSync(f) ? readFileSync(f, "utf8") : undefined;
  }

  /** Absolute paths of a normalized package's job files, wherever they are now. */
  locateJob(loadId: string, file: string): string {
    for (const folder of JOB_FOLDERS) {
      const p = join(jobFolder(this.normalized(loadId), folder), file);
      if (existsSync(p)) return p;
    }
    throw new Error(`job file ${file} of package ${loadId} is missing`);
  }

  dropPending(): string[] {
    const dropped = [...this.list("extracted"), ...this.list("normalized")];
    rmSync(this.dir("extracted"), { recursive: true, force: true });
    rmSync(this.dir("normalized"), { recursive: true, force: true });
    this.removeTemporaries();
    return dropped;
  }
}
