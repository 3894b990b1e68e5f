import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StoredSchema } from "../schema/schema.js";
import { renameDurable } from "../util/fs-atomic.js";
import {
  type StateParser,
  jobFolder,
  rawFolder,
  readExtractedManifest,
  readNormalizedManifest,
  readPackageSchema,
  readPackageState,
  writeCompletedMarker,
  writeManifest,
  writePackageSchema,
  writePackageState,
} from "./files.js";
import { type ExtractedManifest, type JobFolder, type LoadedMarker, type NormalizedManifest, compareLoadIds } from "./format.js";

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

  /** The normalized folder replaces the extracted one: rename first, then delete the source. */
  commitNormalized(loadId: string): void {
    renameDurable(this.dir("normalized", `${loadId}.tmp`), this.normalized(loadId));
    rmSync(this.extracted(loadId), { recursive: true, force: true });
  }

  commitLoaded(loadId: string, marker: LoadedMarker): void {
    writeCompletedMarker(this.normalized(loadId), marker);
    renameDurable(this.normalized(loadId), this.loaded(loadId));
  }

  /** Leftovers of a crash in the middle of a step: nothing in them was committed. */
  removeTemporaries(): void {
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

  list(status: "extracted" | "normalized" | "loaded"): string[] {
    const d = this.dir(status);
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .filter((n) => !n.endsWith(".tmp") && /^\d+(\.\d+)?$/.test(n))
      .sort(compareLoadIds);
  }

  /** The newest load id this working dir has seen, in any state. */
  lastLoadId(): string | undefined {
    const all = [...this.list("extracted"), ...this.list("normalized"), ...this.list("loaded")].sort(compareLoadIds);
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

  /** State folders of the pending packages (normalized and extracted), newest load id last. */
  pendingDirs(): string[] {
    const all = [
      ...this.list("normalized").map((id) => ({ id, dir: this.normalized(id) })),
      ...this.list("extracted").map((id) => ({ id, dir: this.extracted(id) })),
    ];
    return all.sort((a, b) => compareLoadIds(a.id, b.id)).map((p) => p.dir);
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
