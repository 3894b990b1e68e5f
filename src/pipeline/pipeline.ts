import { rmSync } from "node:fs";
import { ConfigResolver } from "../config/resolver.js";
import type { ConnectOptions, Destination, DestinationClient } from "../destinations/destination.js";
import { resolveDestination } from "../destinations/registry.js";
import { type ExtractProgress, extractSource } from "../extract/extractor.js";
import { NamingConvention } from "../normalize/naming.js";
import { normalizePackage } from "../normalize/normalize-package.js";
import {
  type ExtractedManifest,
  type IncompleteResource,
  type SkippedResource,
  newLoadId,
  compareLoadIds,
} from "../package/format.js";
import { Schema } from "../schema/schema.js";
import { PipelineError, PipelineStepFailed, errorMessage } from "../util/errors.js";
import { logger } from "../util/logger.js";
import { crashPoint } from "./crash-points.js";
import { RunLock } from "./run-lock.js";
import { throwIfStopped } from "./stops.js";
import { Dataset } from "./dataset.js";
import { LoadInfo, type LoadPackageInfo } from "./load-info.js";
import { RejectedItemsError, RunIncompleteError } from "./incomplete.js";
import { type PipelineState, bumpVersion, newState } from "./state.js";
import { ExtractInfo, NormalizeInfo } from "./step-info.js";
import { countFailedAttempt, loadPackage } from "./load-package.js";
import { type RunData, type RunOptions, toSource } from "./run-data.js";
import { restoreFromDestination } from "./restore.js";
import { type Disagreement, reconcileWithDestination } from "./agreement.js";
import { WorkingDir } from "./working-dir.js";
import { type DropPlan, planDrop, writeDropPackages } from "./drop.js";
import { countRequests, type RunRequests } from "./request-stats.js";
import { mergeRecords, reconcileWarning, recordsOf } from "./reconciliation.js";
import { NORMALIZE_SPEC, resolvePipelineSettings } from "./config.js";
import { type ModelsRunInfo, type PipelineModelsOptions, modelsEnabled, runPipelineModels } from "../models/index.js";

/**
 * Explicit values win over `[pipeline]` config (PIPELINE_SPEC: `pipeline_name`, `dataset_name`,
 * `destination`, `pipelines_dir`, `restore_from_destination`), which wins over the defaults.
 */
export interface PipelineOptions {
  /** Default: `[pipeline] pipeline_name`, else `sage_pipeline`. */
  pipelineName?: string;
  /** `"duckdb"`, `"postgres"`, `"filesystem"` or a Destination object. Default: `[pipeline] destination`, else duckdb. */
  destination?: string | Destination;
  /** Default: `[pipeline] dataset_name`, else `<pipeline_name>_dataset`. */
  datasetName?: string;
  /** Default: `[pipeline] pipelines_dir`, else `<data dir>/pipelines`, data dir = `$SAGE_PIPELINE_DATA_DIR` or `~/.sage-pipeline`. */
  pipelinesDir?: string;
  /**
   * Config and secrets for the pipeline, its destination and every source it runs that was made
   * without a resolver; default: env + `.dlt/*.toml` of the current directory + the data dir's.
   */
  config?: ConfigResolver;
  /** Restore state and schemas from the destination when it is newer than the working dir. */
  restoreFromDestination?: boolean;
  /** Detect `YYYY-MM-DD` strings as dates (dlt leaves them text). Default true. */
  detectDates?: boolean;
  /** Progress of each step, for displays. */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Stops a run (the CLI aborts it on SIGINT/SIGTERM with the signal's name as the reason):
   * extract stops at once and its package is dropped, a normalize or load in flight finishes,
   * nothing else starts, and the step throws InterruptedError.
   */
  signal?: AbortSignal;
  /** When another run holds this working dir: wait for it (true) or throw LockHeldError at once. */
  waitForLock?: boolean;
}

export type ProgressEvent =
  | { step: "extract"; progress: ExtractProgress }
  | { step: "normalize"; loadId: string; rows?: Record<string, number> }
  | { step: "load"; loadId: string; table?: string; done?: boolean }
  /** A step of one package begins; extract names the resources it reads (for "N of M done"). */
  | { step: "begin"; of: PackageStep; loadId: string; resources?: string[] }
  /** A step of one package ended, after `seconds`; `failed` when it threw. */
  | { step: "end"; of: PackageStep; loadId: string; seconds: number; failed?: boolean };

/** The steps a load package goes through. */
export type PackageStep = "extract" | "normalize" | "load";

const log = logger("pipeline");

interface TraceStep {
  step: string;
  startedAt: string;
  finishedAt?: string;
  loadId?: string;
  error?: string;
  /** Items per resource (extract) or rows per table (normalize, load) of this step. */
  rows?: Record<string, number>;
  /** Extract: the HTTP requests it made, per resource (kept when the step fails). */
  requests?: RunRequests;
  /** Extract: parts the source left out on purpose (403/404/no subscription) and why. */
  skipped?: SkippedResource[];
}

/**
 * The orchestrator: extract → normalize → load through load packages in a working dir, with
 * state committed together with the data. Every step first finishes what an earlier run left.
 */
export class Pipeline {
  readonly pipelineName: string;
  readonly datasetName: string;
  readonly workingDir: WorkingDir;
  readonly config: ConfigResolver;
  private destinationSpec: string | Destination;
  private destinationObj: Destination | undefined;
  private synced = false;
  /** Held while a step writes to the working dir (one writer per working dir). */
  private lock: RunLock | undefined;
  private disagreement: Disagreement | undefined;
  private trace: TraceStep[] = [];
  private readonly detectDates: boolean;
  private readonly restore: boolean;
  private readonly staging: "filesystem" | undefined;

  constructor(private readonly options: PipelineOptions = {}) {
    // Like dlt.pipeline(): the one place below the CLI that reads the working directory's .dlt/.
    const root = options.config ?? ConfigResolver.fromCwd();
    const settings = resolvePipelineSettings(root, options);
    this.pipelineName = settings.pipelineName;
    this.datasetName = settings.datasetName;
    this.workingDir = WorkingDir.forPipeline(this.pipelineName, settings.pipelinesDir);
    this.config = root.withPipeline(this.pipelineName);
    this.destinationSpec = settings.destination;
    this.restore = settings.restoreFromDestination;
    this.staging = settings.staging;
    this.detectDates = options.detectDates ?? true;
  }

  get destinationName(): string {
    return typeof this.destinationSpec === "string" ? this.destinationSpec : this.destinationSpec.name;
  }

  async destination(): Promise<Destination> {
    if (!this.destinationObj) {
      this.destinationObj =
        typeof this.destinationSpec === "string"
          ? await resolveDestination(this.destinationSpec, this.config, this.staging ? { staging: this.staging } : undefined)
          : this.destinationSpec;
    }
    return this.destinationObj;
  }

  /** Where the data goes, credentials redacted (what LoadInfo prints). */
  async location(): Promise<string> {
    return (await this.destination()).location(this.connectOptions());
  }

  private connectOptions(): ConnectOptions {
    return { datasetName: this.datasetName, pipelineName: this.pipelineName, workingDir: this.workingDir.path };
  }

  private async client(): Promise<DestinationClient> {
    return (await this.destination()).connect(this.connectOptions());
  }

  private async withClient<T>(fn: (c: DestinationClient) => Promise<T>): Promise<T> {
    const c = await this.client();
    try {
      return await fn(c);
    } finally {
      await c.close();
    }
  }

  /** The state as of the last committed load (or restored from the destination). */
  get state(): PipelineState {
    return this.workingDir.readState() ?? newState(this.pipelineName, this.datasetName);
  }

  /** The last run's steps, timings and errors (secrets scrubbed). */
  get lastTrace(): unknown {
    return this.workingDir.readTrace();
  }

  dataset(): Dataset {
    return new Dataset(
      () => this.client(),
      this.datasetName,
      () => this.workingDir.schemaNames().flatMap((n) => this.workingDir.readSchema(n) ?? []),
    );
  }

  /**
   * Make the working dir agree with the destination before anything is extracted: when the
   * destination lacks what the local state says was committed, continue from the destination's
   * truth (one warning, see agreement.ts); then, unless `restoreFromDestination` is off, take
   * state and schemas from the destination where they are newer (once per Pipeline object).
   * The agreement is checked at every call: a file can be deleted between two runs.
   */
  async sync(): Promise<void> {
    await this.exclusive(() => this.syncStep());
  }

  private async syncStep(): Promise<void> {
    await this.withClient(async (client) => {
      this.disagreement = await reconcileWithDestination({
        client,
        workingDir: this.workingDir,
        pipelineName: this.pipelineName,
        datasetName: this.datasetName,
        location: (await this.destination()).location(this.connectOptions()),
      });
      if (this.restore && !this.synced) {
        this.synced = true;
        await restoreFromDestination(client, this.workingDir, this.pipelineName, this.datasetName);
      }
    });
  }

  /** What `sync()` found when the destination lacked what the working dir had committed. */
  get lastDisagreement(): Disagreement | undefined {
    return this.disagreement;
  }

  private traceStep<T>(step: string, loadId: string | undefined, fn: () => Promise<T>, resources?: string[]): Promise<T> {
    const started = new Date();
    const entry: TraceStep = { step, startedAt: started.toISOString(), ...(loadId ? { loadId } : {}) };
    this.trace.push(entry);
    const of = step === "extract" || step === "normalize" || step === "load" ? step : undefined;
    if (of && loadId) this.options.onProgress?.({ step: "begin", of, loadId, ...(resources ? { resources } : {}) });
    const end = (failed: boolean) => {
      const finished = new Date();
      entry.finishedAt = finished.toISOString();
      const seconds = (finished.getTime() - started.getTime()) / 1000;
      if (of && loadId) this.options.onProgress?.({ step: "end", of, loadId, seconds, ...(failed ? { failed } : {}) });
    };
    return fn().then(
      (v) => {
        end(false);
        return v;
      },
      (err: unknown) => {
        entry.error = errorMessage(err);
        end(true);
        throw err;
      },
    );
  }

  /** Rows of the step in flight (the newest trace entry), for `pipeline X trace`. */
  private traceRows(rows: Record<string, number>): void {
    const entry = this.trace.at(-1);
    if (entry) entry.rows = { ...rows };
  }

  /** Facts of the step in flight (the newest trace entry): its requests, what it skipped. */
  private traceDetail(detail: Pick<TraceStep, "requests" | "skipped">): void {
    const entry = this.trace.at(-1);
    if (entry) Object.assign(entry, detail);
  }

  /** State a new extract starts from: that of the newest pending package, else the committed one. */
  private stateForExtract(): PipelineState {
    const newest = this.workingDir.packages.pendingDirs().pop();
    const s = newest ? this.workingDir.packages.readState(newest) : undefined;
    return structuredClone(s ?? this.state);
  }

  /**
   * Run `fn` holding the working dir's lock (taken once per run: the steps inside run() reuse
   * it). Another holder means LockHeldError, or a wait with `waitForLock`.
   */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.lock) return fn();
    const lock = await RunLock.acquire(this.workingDir.path, this.pipelineName, {
      wait: this.options.waitForLock ?? false,
      signal: this.options.signal,
    });
    this.lock = lock;
    try {
      return await fn();
    } finally {
      this.lock = undefined;
      await lock.release();
    }
  }

  async extract(data: RunData, opts: RunOptions = {}): Promise<ExtractInfo> {
    return this.exclusive(async () => {
      await this.syncStep();
      return this.extractStep(data, opts);
    });
  }

  private async extractStep(data: RunData, opts: RunOptions): Promise<ExtractInfo> {
    await this.destination();
    const signal = this.options.signal;
    throwIfStopped(signal, "extract");
    const source = toSource(data, opts, this.pipelineName, this.config);
    const store = this.workingDir.packages;
    store.removeTemporaries();
    const state = this.stateForExtract();
    const sourceState = state.sources[source.name];
    if (opts.fullRefresh && sourceState?.resources) {
      const forget = new Set(source.selected.map((r) => r.name));
      sourceState.resources = Object.fromEntries(Object.entries(sourceState.resources).filter(([name]) => !forget.has(name)));
    }
    const loadId = newLoadId(
      [store.lastLoadId(), state._local?.lastLoadId]
        .filter((x): x is string => !!x)
        .sort(compareLoadIds)
        .pop(),
    );
    const names = source.selected.map((r) => r.name);
    return this.traceStep(
      "extract",
      loadId,
      async () => {
        const dir = store.extractTmp(loadId);
        let manifest: ExtractedManifest;
        try {
          const counted = countRequests(() =>
            extractSource({
              source,
              dir,
              loadId,
              pipelineName: this.pipelineName,
              schemaName: source.name,
              sourcesState: state.sources,
              signal,
              onProgress: (progress) => {
                if (!progress.done) crashPoint("extract_page");
                this.options.onProgress?.({ step: "extract", progress });
              },
            }),
          );
          // Filled as the requests go, so a failed extract's trace still says what it asked.
          this.traceDetail({ requests: counted.stats });
          manifest = await counted.done;
        } catch (err) {
          rmSync(dir, { recursive: true, force: true });
          throwIfStopped(signal, "extract");
          throw new PipelineStepFailed(this.pipelineName, "extract", loadId, err);
        }
        // Stopped while the last pages came in: nothing of this package was committed; drop it.
        if (signal?.aborted) rmSync(dir, { recursive: true, force: true });
        throwIfStopped(signal, "extract");
        state.datasetName = this.datasetName;
        state.destinationName = this.destinationName;
        state.defaultSchemaName ??= source.name;
        if (!state.schemaNames.includes(source.name)) state.schemaNames.push(source.name);
        manifest.stateChanged = bumpVersion(state);
        state._local = { ...(state._local ?? {}), lastExtractedAt: new Date().toISOString() };
        store.writeExtracted(dir, manifest, state);
        crashPoint("before_extract_commit");
        store.commitExtracted(loadId);
        crashPoint("after_extract");
        const items = Object.fromEntries(manifest.resources.map((r) => [r.name, r.items]));
        this.traceRows(items);
        if (manifest.skipped) this.traceDetail({ skipped: manifest.skipped });
        return new ExtractInfo(this.pipelineName, loadId, items, manifest.incomplete);
      },
      names,
    );
  }

  /** Normalize every extracted package, oldest first. */
  async normalize(): Promise<NormalizeInfo> {
    return this.exclusive(() => this.normalizeStep());
  }

  private async normalizeStep(): Promise<NormalizeInfo> {
    const destination = await this.destination();
    const store = this.workingDir.packages;
    store.removeTemporaries();
    const naming = new NamingConvention(destination.capabilities.maxIdentifierLength);
    const rowCounts: Record<string, number> = {};
    const ids = store.list("extracted");
    for (const loadId of ids) {
      // A package in flight finishes; the next one does not start.
      throwIfStopped(this.options.signal, "normalize");
      await this.traceStep("normalize", loadId, async () => {
        const manifest = store.readExtractedManifest(loadId);
        const schema = this.schemaToNormalize(manifest.schemaName);
        const hashBefore = schema.versionHash;
        const out = store.normalizeTmp(loadId);
        let result;
        try {
          const { workers, partMb, maxTableNesting } = this.config.resolve(NORMALIZE_SPEC).values;
          result = await normalizePackage({
            extractedDir: store.extracted(loadId),
            outDir: out,
            schema,
            naming,
            detectDates: this.detectDates,
            format: destination.capabilities.loaderFileFormat,
            maxFileBytes: destination.capabilities.loadFileMaxBytes,
            maxTableNesting,
            ...(partMb !== undefined ? { partBytes: partMb * 1024 * 1024 } : {}),
            ...(workers !== undefined ? { workers } : {}),
          });
        } catch (err) {
          rmSync(out, { recursive: true, force: true });
          throw new PipelineStepFailed(
            this.pipelineName,
            "normalize",
            loadId,
            countFailedAttempt(store, loadId, "extracted", err, this.config),
          );
        }
        if (schema.versionHash !== hashBefore) {
          schema.version++;
          store.writeSchema(out, schema.toJSON());
        }
        this.workingDir.writeSchema(schema);
        crashPoint("before_normalize_commit");
        store.commitNormalized(loadId);
        crashPoint("after_normalize");
        for (const [t, n] of Object.entries(result.rowCounts)) rowCounts[t] = (rowCounts[t] ?? 0) + n;
        this.options.onProgress?.({ step: "normalize", loadId, rows: result.rowCounts });
        this.traceRows(result.rowCounts);
      });
    }
    return new NormalizeInfo(this.pipelineName, ids, rowCounts);
  }

  /**
   * The schema a package is normalized against: the working dir's, unless a pending package
   * carries a newer one (a drop package, whose schema becomes the working dir's only when it
   * commits), so rows extracted after a drop bring its tables back.
   */
  private schemaToNormalize(name: string): Schema {
    const store = this.workingDir.packages;
    let newest = this.workingDir.readSchema(name);
    for (const id of store.list("normalized")) {
      const stored = store.readSchema(id);
      if (stored.name === name && stored.version > (newest?.version ?? -1)) newest = Schema.fromJSON(stored);
    }
    return newest ?? new Schema(name);
  }

  /**
   * What dropping `resources` would remove (dlt's `pipeline drop`): their tables, nested ones
   * included, and their state. Read from the working dir alone; writes nothing.
   */
  planDrop(resources: readonly string[]): DropPlan {
    return planDrop(this.workingDir, this.pipelineName, resources);
  }

  /**
   * Apply a plan of `planDrop`: one package per schema that carries the schema without the
   * tables, the state without the resources and the tables to drop, then load it at once (the
   * destination drops the tables in the same commit as the new schema version and state). When
   * that load fails the package stays pending and the next run commits it before it extracts;
   * `dropPendingPackages()` cancels it. The next run reloads the resources in full.
   */
  async drop(plan: DropPlan): Promise<LoadInfo> {
    return this.exclusive(async () => {
      await this.syncStep();
      const current = planDrop(
        this.workingDir,
        this.pipelineName,
        plan.schemas.flatMap((s) => s.resources),
      );
      if (JSON.stringify(current) !== JSON.stringify(plan)) {
        throw new PipelineError(
          `pipeline ${this.pipelineName} changed since the drop was planned (state version ${plan.stateVersion} then, ${current.stateVersion} now); nothing was dropped`,
          { hint: "run the drop again to see what it removes now" },
        );
      }
      writeDropPackages(this.workingDir, current, this.datasetName);
      return this.loadStep();
    });
  }

  /** Load every normalized package, oldest first. A failure leaves the package pending. */
  async load(): Promise<LoadInfo> {
    return this.exclusive(() => this.loadStep());
  }

  private async loadStep(): Promise<LoadInfo> {
    const destination = await this.destination();
    const startedAt = new Date();
    const store = this.workingDir.packages;
    const packages: LoadPackageInfo[] = [];
    store.settleReidentified();
    const ids = store.list("normalized");
    if (ids.length > 0) {
      await this.withClient(async (client) => {
        for (const loadId of ids) {
          // A load transaction in flight commits (and its package moves to loaded/); no other starts.
          throwIfStopped(this.options.signal, "load");
          packages.push(
            await this.traceStep("load", loadId, () =>
              loadPackage({
                client,
                loadId,
                workingDir: this.workingDir,
                pipelineName: this.pipelineName,
                onProgress: (event) => {
                  if (event.step === "load" && event.table !== undefined) crashPoint("load_job_staged");
                  this.options.onProgress?.(event);
                },
                config: this.config,
              }),
            ),
          );
          this.traceRows(packages[packages.length - 1]!.rowCounts);
        }
      });
    }
    const info = new LoadInfo(
      this.pipelineName,
      destination.name,
      destination.location(this.connectOptions()),
      this.datasetName,
      startedAt,
      new Date(),
      packages,
    );
    const reconciled = info.reconciliation;
    if (reconciled.length > 0) {
      this.workingDir.writeReconciliation(mergeRecords(this.workingDir.readReconciliation(), reconciled));
      for (const w of info.reconciliationWarnings) log.warn(`reconciliation: ${w}`);
    }
    return info;
  }

  /** Packages an earlier run left behind. */
  hasPendingPackages(): boolean {
    const store = this.workingDir.packages;
    return store.list("extracted").length > 0 || store.list("normalized").length > 0;
  }

  /**
   * Finish pending packages, then extract, normalize and load `data`. Unlike dlt, data passed
   * while packages are pending is not dropped: it is extracted once the pending work is loaded.
   */
  async run(data?: RunData, opts: RunOptions = {}): Promise<LoadInfo> {
    return this.exclusive(() => this.runSteps(data, opts));
  }

  private async runSteps(data: RunData | undefined, opts: RunOptions): Promise<LoadInfo> {
    const startedAt = new Date();
    this.trace = [];
    this.disagreement = undefined;
    const packages: LoadPackageInfo[] = [];
    try {
      await this.destination();
      throwIfStopped(this.options.signal, "sync");
      await this.traceStep("sync", undefined, () => this.syncStep()).catch((err: unknown) => {
        throw err instanceof PipelineStepFailed ? err : new PipelineStepFailed(this.pipelineName, "sync", undefined, err);
      });
      const incomplete: IncompleteResource[] = [];
      // LoadInfo reports the load step's own time, as dlt does; the run's goes to the trace.
      let loadSeconds = 0;
      const loadAll = async () => {
        const loaded = await this.loadStep();
        loadSeconds += loaded.elapsedSeconds;
        packages.push(...loaded.loadPackages);
      };
      if (this.hasPendingPackages()) {
        log.info(`${this.pipelineName}: finishing pending load packages first`);
        await this.normalizeStep();
        await loadAll();
      }
      if (data !== undefined) {
        incomplete.push(...(await this.extractStep(data, opts)).incomplete);
        await this.normalizeStep();
        await loadAll();
      }
      const d = await this.destination();
      const info = new LoadInfo(
        this.pipelineName,
        d.name,
        d.location(this.connectOptions()),
        this.datasetName,
        startedAt,
        new Date(),
        packages,
        incomplete,
        loadSeconds,
      );
      // Loaded what was read, but a part is missing: not a success (the cursors stayed behind it).
      if (!info.isComplete) throw new RunIncompleteError(info);
      if (packages.length > 0 && modelsEnabled(this.config)) await this.runModels();
      if (info.rejectedItems > 0) throw new RejectedItemsError(info);
      return info;
    } finally {
      // What the run's loads reconciled, and the parts whose counts the deletes do not explain.
      const reconciliation = recordsOf(packages);
      const warnings = [
        ...(this.lastDisagreement ? [this.lastDisagreement.warning] : []),
        ...reconciliation.flatMap((r) => reconcileWarning(r) ?? []).map((w) => `reconciliation: ${w}`),
      ];
      this.workingDir.writeTrace({
        pipelineName: this.pipelineName,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        // Where the data went (credentials redacted): `show` opens this file, never a default path.
        ...(this.destinationObj ? { destinationLocation: this.destinationObj.location(this.connectOptions()) } : {}),
        steps: this.trace,
        ...(reconciliation.length > 0 ? { reconciliation } : {}),
        ...(warnings.length > 0 ? { warnings } : {}),
      });
    }
  }

  /**
   * Build the accounting models (src/models) in the dataset and run their data tests; throws
   * `DataTestsFailedError` when one fails. `[models] enabled = true` runs this after every load.
   */
  async runModels(options: PipelineModelsOptions = {}): Promise<ModelsRunInfo> {
    return this.withClient((c) => runPipelineModels(c, this.destinationName, this.pipelineName, this.config, options));
  }

  /** Delete extracted and normalized packages that were not loaded (state is not rolled back). */
  async dropPendingPackages(): Promise<string[]> {
    return this.exclusive(() => Promise.resolve(this.workingDir.packages.dropPending()));
  }
}

export type { RunData, RunOptions };

export function pipeline(options?: PipelineOptions): Pipeline {
  return new Pipeline(options);
}
