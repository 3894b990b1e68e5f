import type { DestinationClient, ReconcileResult } from "../destinations/destination.js";
import { readKeySet, readRejectedFile, rejectedFile } from "../package/files.js";
import { type LoadedMarker, compareLoadIds, newLoadId } from "../package/format.js";
import { LoadIdTaken } from "../destinations/load-identity.js";
import { Schema } from "../schema/schema.js";
import { PipelineError, PipelineStepFailed, errorMessage } from "../util/errors.js";
import type { ConfigResolver } from "../config/index.js";
import { LOAD_SPEC } from "../package/config.js";
import type { PackageStore } from "../package/store.js";
import { logger } from "../util/logger.js";
import { crashPoint } from "./crash-points.js";
import type { LoadPackageInfo } from "./load-info.js";
import type { ProgressEvent } from "./pipeline.js";
import { type PipelineState, encodeState } from "./state.js";
import type { WorkingDir } from "./working-dir.js";

const log = logger("load");

export interface LoadPackageContext {
  client: DestinationClient;
  loadId: string;
  workingDir: WorkingDir;
  pipelineName: string;
  onProgress?: ((event: ProgressEvent) => void) | undefined;
  /** For `[load] max_package_attempts`. */
  config: ConfigResolver;
}

/**
 * Count a failed step at a pending package; at `[load] max_package_attempts` it is moved aside
 * (see PackageStore.recordFailedAttempt). Returns the error to raise: `err`, or one that says
 * where the package went.
 */
export function countFailedAttempt(
  store: PackageStore<PipelineState>,
  loadId: string,
  status: "extracted" | "normalized",
  err: unknown,
  config: ConfigResolver,
): unknown {
  const { maxPackageAttempts } = config.resolve(LOAD_SPEC).values;
  const { attempts, movedAside } = store.recordFailedAttempt(loadId, status, errorMessage(err), maxPackageAttempts);
  if (!movedAside) return err;
  const message = `package ${loadId} failed ${attempts} time(s) and was moved aside to ${store.root}/failed/${loadId}: ${errorMessage(err)}`;
  log.error(message);
  return new PipelineError(message, {
    cause: err,
    hint: "later runs no longer retry it; its rows are read again from the last committed state (see `sage-pipeline pipeline <name> failed-jobs`)",
  });
}

/**
 * After a drop package committed: its schema (the tables gone) becomes the working dir's unless
 * a newer one is there, and the reconciliation records of the dropped resources go, so `show`
 * does not report counts of tables that no longer exist.
 */
function forgetDropped(workingDir: WorkingDir, schema: Schema, resources: string[]): void {
  const local = workingDir.readSchema(schema.name);
  if (!local || local.version <= schema.version) workingDir.writeSchema(schema);
  const records = workingDir.readReconciliation();
  const kept = records.filter((r) => !resources.includes(r.resource));
  if (kept.length !== records.length) workingDir.writeReconciliation(kept);
}

/**
 * Steps 3 and 4 of the exactly-once protocol for one normalized package: unless the destination
 * already holds its load id, load it in one transaction (data, `_dlt_loads`, state row); then
 * move the folder to `loaded/` and write the local state. A failure leaves the package pending
 * with its jobs in `failed_jobs`, to be retried by the next run.
 */
export async function loadPackage(ctx: LoadPackageContext): Promise<LoadPackageInfo> {
  const store = ctx.workingDir.packages;
  let loadId = ctx.loadId;
  for (let attempt = 1; ; attempt++) {
    try {
      return await loadAs(ctx, loadId);
    } catch (err) {
      if (!(err instanceof LoadIdTaken) || attempt >= MAX_RENAMES) throw err;
      const manifest = store.readNormalizedManifest(loadId);
      const next = newLoadId(
        [store.lastLoadId(), loadId]
          .filter((x): x is string => !!x)
          .sort(compareLoadIds)
          .pop(),
      );
      log.warn(
        `load id ${loadId} is in dataset ${ctx.client.datasetName} for another package (package ${err.holder}; another ` +
          `worker of pipeline ${ctx.pipelineName} drew the same id): package ${manifest.packageId} loads as ${next}`,
      );
      store.reidentify(loadId, next);
      loadId = next;
    }
  }
}

/** Renames of one package before giving up: each draws a fresh id, so a second clash is already rare. */
const MAX_RENAMES = 5;

async function loadAs(ctx: LoadPackageContext, loadId: string): Promise<LoadPackageInfo> {
  const { client, workingDir } = ctx;
  const store = workingDir.packages;
  const manifest = store.readNormalizedManifest(loadId);
  const schema = Schema.fromJSON(store.readSchema(loadId));
  const state = store.readState(store.normalized(loadId));
  const { packageId } = manifest;
  const alreadyLoaded = await client.isLoaded(loadId, packageId);
  let reconciled: ReconcileResult[] = [];
  if (!alreadyLoaded) {
    const dir = store.normalized(loadId);
    const reconcile = (manifest.keySets ?? []).map((k) => ({ ...k, keys: readKeySet(dir, k.file) }));
    const rejected = manifest.rejected ? readRejectedFile(rejectedFile(dir)) : [];
    store.moveAllJobs(loadId, "failed_jobs", "new_jobs");
    store.moveAllJobs(loadId, "new_jobs", "started_jobs");
    const jobs = manifest.jobs.map((j) => ({ ...j, path: store.locateJob(loadId, j.file) }));
    try {
      await client.load({
        loadId,
        ...(packageId ? { packageId } : {}),
        schema,
        jobs,
        rootTables: manifest.rootTables,
        superseded: manifest.superseded,
        ...(manifest.drop ? { dropTables: manifest.drop.tables } : {}),
        ...(state && manifest.stateChanged
          ? {
              stateRow: {
                version: state._stateVersion,
                engineVersion: state._stateEngineVersion,
                pipelineName: ctx.pipelineName,
                state: encodeState(state),
                createdAt: new Date().toISOString(),
                versionHash: state._versionHash,
                dltId: loadId.replace(".", "_"),
              },
            }
          : {}),
        onJobStaged: (j) => ctx.onProgress?.({ step: "load", loadId, table: j.table }),
        ...(rejected.length > 0 ? { rejected } : {}),
        ...(reconcile.length > 0
          ? {
              reconcile,
              onReconciled: (r: ReconcileResult[]) => {
                reconciled = r;
              },
            }
          : {}),
      });
    } catch (err) {
      if (err instanceof LoadIdTaken) {
        // Found inside the load transaction (it rolled back): the package loads again under a new id.
        store.moveAllJobs(loadId, "started_jobs", "new_jobs");
        throw err;
      }
      const message = errorMessage(err);
      // The transaction rolled back: every job of the package failed together. They go back
      // to new_jobs at the next attempt (see above), so nothing is lost or loaded twice.
      for (const f of store.jobFiles(loadId, "started_jobs")) {
        store.moveJob(loadId, f, "started_jobs", "failed_jobs");
        store.recordJobFailure(loadId, f, message);
      }
      const failure = new PipelineError(message, {
        cause: err,
        hint: "the package stays pending; fix the cause and run again: nothing will be loaded twice",
      });
      throw new PipelineStepFailed(
        ctx.pipelineName,
        "load",
        loadId,
        countFailedAttempt(store, loadId, "normalized", failure, ctx.config),
      );
    }
    crashPoint("after_load_commit");
  }
  store.moveAllJobs(loadId, "new_jobs", "completed_jobs");
  store.moveAllJobs(loadId, "started_jobs", "completed_jobs");
  crashPoint("load_jobs_completed");
  const marker: LoadedMarker = { loadId, status: "loaded", loadedAt: new Date().toISOString(), alreadyLoaded };
  store.commitLoaded(loadId, marker);
  crashPoint("after_load_rename");
  const housekeeping = ctx.config.resolve(LOAD_SPEC).values;
  if (housekeeping.deleteCompletedJobs) store.pruneLoaded(housekeeping.keepLoadedPackages);
  if (manifest.drop) forgetDropped(workingDir, schema, manifest.drop.resources);
  if (state) {
    const committed = workingDir.readState();
    if (!committed || committed._stateVersion <= state._stateVersion) {
      state._local = { ...(state._local ?? {}), lastLoadId: loadId, firstRun: false };
      workingDir.writeState(state);
    }
  }
  ctx.onProgress?.({ step: "load", loadId, done: true });
  return {
    loadId,
    schemaName: manifest.schemaName,
    state: "LOADED",
    jobs: manifest.jobs.map((j) => ({ table: j.table, file: j.file, rows: j.rows, state: "completed" as const })),
    rowCounts: manifest.rowCounts,
    alreadyLoaded,
    ...(manifest.rejected ? { rejectedItems: manifest.rejected } : {}),
    ...(reconciled.length > 0 ? { reconciled } : {}),
  };
}
