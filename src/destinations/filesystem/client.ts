import { createHash, randomBytes } from "node:crypto";
import { stateRowFrom } from "../state-row.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jobFileId } from "../../package/files.js";
import type { StoredSchema } from "../../schema/schema.js";
import {
  LOADS_TABLE,
  REJECTED_TABLE,
  STATE_TABLE,
  VERSION_TABLE,
  rejectedRow,
  systemTables,
} from "../../schema/system-tables.js";
import type { Table } from "../../schema/types.js";
import { PipelineError } from "../../util/errors.js";
import { logger } from "../../util/logger.js";
import type { DestinationClient, LoadRequest, ReconcileResult, ResultRow, StateRow } from "../destination.js";
import { DuckDbConnection } from "../duckdb/connection.js";
import { DuckDbQuerySession } from "../duckdb/query-session.js";
import type { QueryLimits, QuerySession } from "../query-session.js";
import { hasMergeKeys } from "../sql/dispositions.js";
import type { Bucket } from "./bucket.js";
import { DatasetCatalog, type LoadMarker } from "./catalog.js";
import { DataFileWriter, type RowFilter } from "./data-files.js";
import { createDatasetViews } from "./dataset-views.js";
import { type DataFile, type DataFormat, dataKey, markerKey, stateKey, versionKey } from "./layout.js";
import { type StoredFile, planMerge } from "./merge-plan.js";
import { reconcileFiles } from "./reconcile-files.js";
import type { LocalDataFile } from "./stored-select.js";
import { stateLine, versionLine } from "./system-rows.js";

const log = logger("destinations:filesystem");

/**
 * What clients of one destination share: load markers and local copies of committed objects.
 * Both are immutable once committed (keys carry the load id), so the cache never goes stale, and
 * the dataset API, which opens a client per call, reads each object from a remote bucket once.
 */
export interface ObjectCache {
  markers: Map<string, LoadMarker>;
  downloads: Map<string, Promise<string>>;
  /** A local folder for downloads (made on first use). */
  dir(): string;
}

/** A data file this load wrote (not committed yet). */
type WrittenFile = Omit<StoredFile, "path">;

/** State files kept per pipeline (dlt keeps 100; the newest one is all a restore reads). */
const KEEP_STATE_FILES = 10;

/**
 * A filesystem dataset. A load writes its data files first, then the schema version and the
 * state, and last the `_dlt_loads` marker: the marker is the commit. Readers (and the next load)
 * ignore files of loads without a marker and files a committed load replaced, so a load cut off
 * anywhere leaves the dataset as it was, and running the package again finishes it (file names
 * are deterministic, so a retry overwrites what the failed attempt wrote).
 */
export class FilesystemClient implements DestinationClient {
  private readonly scratch: string;
  private duckConn: Promise<DuckDbConnection> | undefined;
  private viewsReady = false;
  private readonly writer: DataFileWriter;

  constructor(
    readonly datasetName: string,
    private readonly bucket: Bucket,
    format: DataFormat,
    private readonly cache: ObjectCache,
  ) {
    this.scratch = mkdtempSync(join(tmpdir(), "sage-pipeline-fs-"));
    this.writer = new DataFileWriter(format, () => this.duck());
  }

  /** An in-memory DuckDB of this client (parquet writing, merge planning, dataset views). */
  private duck(): Promise<DuckDbConnection> {
    this.duckConn ??= DuckDbConnection.openIsolated();
    return this.duckConn;
  }

  private catalog(): Promise<DatasetCatalog> {
    return DatasetCatalog.read(this.bucket, this.datasetName, this.cache.markers);
  }

  private scratchPath(ext: string): string {
    return join(this.scratch, `${randomBytes(8).toString("hex")}.${ext}`);
  }

  async isLoaded(loadId: string, packageId?: string): Promise<boolean> {
    return (await this.catalog()).holds(loadId, packageId);
  }

  async storedSchema(schemaName: string): Promise<StoredSchema | undefined> {
    const f = (await this.catalog()).newestVersion(schemaName);
    if (!f) return undefined;
    const row = JSON.parse(await this.bucket.readText(f.key)) as { schema: string };
    return JSON.parse(row.schema) as StoredSchema;
  }

  async storedState(pipelineName: string): Promise<StateRow | undefined> {
    const files = (await this.catalog()).committedStates(pipelineName);
    const rows = await Promise.all(
      files.map(async (f) => JSON.parse((await this.bucket.readText(f.key)).trim().split("\n")[0]!) as Record<string, unknown>),
    );
    const r = rows
      .filter((x) => x.pipeline_name === pipelineName)
      .sort((a, b) => Number(b.version) - Number(a.version) || Number(b._dlt_load_id) - Number(a._dlt_load_id))[0];
    if (!r) return undefined;
    return stateRowFrom(r);
  }

  /** Tables of the newest committed schema versions (system tables included), as a SQL dataset has them. */
  private async storedTables(cat: DatasetCatalog): Promise<Table[]> {
    const tables = new Map<string, Table>();
    for (const name of cat.schemaNames()) {
      const s = await this.storedSchema(name);
      for (const t of s?.tables ?? []) if (Object.keys(t.columns).length > 0) tables.set(t.name, t);
    }
    if (tables.size > 0) for (const t of systemTables()) tables.set(t.name, t);
    return [...tables.values()];
  }

  async tableNames(): Promise<string[]> {
    return (await this.storedTables(await this.catalog())).map((t) => t.name).sort();
  }

  /** A local copy of a committed (so never again changing) object; downloaded once per destination. */
  private localPath(key: string): Promise<string> {
    let p = this.cache.downloads.get(key);
    if (!p) {
      p = this.bucket.localPath(key, this.cache.dir());
      this.cache.downloads.set(key, p);
      p.catch(() => this.cache.downloads.delete(key));
    }
    return p;
  }

  private async localFiles(files: DataFile[]): Promise<LocalDataFile[]> {
    return Promise.all(files.map(async (f) => ({ path: await this.localPath(f.key), format: f.format })));
  }

  /** The system tables' rows are JSON lines; only those of committed loads count. */
  private systemFiles(cat: DatasetCatalog, table: string): Promise<LocalDataFile[]> {
    const named =
      table === LOADS_TABLE
        ? [...cat.markers.values()].map((m) => m.file)
        : (table === VERSION_TABLE ? cat.versionFiles : cat.stateFiles).filter((f) => cat.isCommitted(f.loadId));
    return Promise.all(named.map(async (f) => ({ path: await this.localPath(f.key), format: "jsonl" as const })));
  }

  /** One view per table over its committed files, in `duck`; returns the local files they read. */
  private async createViews(duck: DuckDbConnection): Promise<string[]> {
    const cat = await this.catalog();
    // `_dlt_rejected` is a data table of files (one per load); the others have files of their own.
    const system = new Set([LOADS_TABLE, VERSION_TABLE, STATE_TABLE]);
    const read: string[] = [];
    await createDatasetViews(
      duck,
      this.datasetName,
      await this.storedTables(cat),
      async (table) => {
        const files = await (system.has(table) ? this.systemFiles(cat, table) : this.localFiles(cat.visibleFiles(table)));
        read.push(...files.map((f) => f.path));
        return files;
      },
      cat.maxRowBytes,
    );
    return read;
  }

  async query(sql: string): Promise<ResultRow[]> {
    const duck = await this.duck();
    if (!this.viewsReady) {
      await this.createViews(duck);
      this.viewsReady = true;
    }
    return duck.query(sql);
  }

  /**
   * The dataset's views in an in-memory DuckDB of its own, then locked down: it may read exactly
   * the files the views read (DuckDB's allowed_paths), nothing else, and no statement but SELECT,
   * because an allowed path is writable too (COPY ... TO would overwrite a data file). Closing
   * the session closes this client.
   */
  async openQuerySession(limits: QueryLimits): Promise<QuerySession> {
    const duck = await DuckDbConnection.openIsolated();
    try {
      await duck.lockDown(await this.createViews(duck));
    } catch (err) {
      await duck.close();
      throw err;
    }
    const session = new DuckDbQuerySession(this.datasetName, duck, limits, true);
    return {
      datasetName: this.datasetName,
      query: (sql) => session.query(sql),
      tableNames: () => session.tableNames(),
      close: async () => {
        await session.close();
        await this.close();
      },
    };
  }

  async load(req: LoadRequest): Promise<void> {
    try {
      await this.loadPackage(req);
    } finally {
      this.viewsReady = false;
    }
  }

  private async loadPackage(req: LoadRequest): Promise<void> {
    const { schema, loadId } = req;
    const cat = await this.catalog();
    if (cat.holds(loadId, req.packageId)) return; // committed before: nothing to do, ever
    const leftovers = cat.leftovers();
    if (leftovers.length > 0) await this.bucket.delete(leftovers);

    const jobsOf = new Map<string, LoadRequest["jobs"]>();
    for (const j of req.jobs) {
      let list = jobsOf.get(j.table);
      if (!list) jobsOf.set(j.table, (list = []));
      list.push(j);
    }
    // A dropped table's files stop counting with the marker, like a replace's, and go after it.
    const replaced: string[] = (req.dropTables ?? []).flatMap((t) => cat.visibleFiles(t).map((f) => f.key));
    // What this load wrote, per table, for the key sets applied after the rows (uploads may move
    // the local file away: a key set reads the stored object).
    const written = new Map<string, WrittenFile[]>();
    const wrote = (f: WrittenFile) => {
      const list = written.get(f.table) ?? [];
      list.push(f);
      written.set(f.table, list);
    };
    let chainNo = 0;
    for (const entry of req.rootTables) {
      const root = schema.get(entry.table);
      if (!root) continue; // a resource that yielded nothing and never had a table
      const chain = [root, ...schema.descendants(root.name)];
      let filters = new Map<string, RowFilter>();
      if (entry.writeDisposition === "replace") {
        // The new files count from the marker on; the old ones are deleted after it.
        for (const t of chain) replaced.push(...cat.visibleFiles(t.name).map((f) => f.key));
      } else if (entry.writeDisposition === "merge" && hasMergeKeys(root) && jobsOf.has(root.name)) {
        const plan = await this.planMerge(cat, req, root, chain.slice(1), `m${chainNo++}`);
        filters = plan.packageFilters;
        for (const { file, filter } of plan.rewrites) {
          const out = this.scratchPath(file.format);
          const fileId = `r${createHash("sha256").update(file.key).digest("hex").slice(0, 12)}`;
          if (await this.writer.rewrite(file.path, file.format, out, filter)) {
            const key = dataKey(this.datasetName, file.table, loadId, fileId, file.format);
            await this.bucket.upload(key, out);
            wrote({ key, format: file.format, table: file.table });
          }
          replaced.push(file.key);
        }
      }
      for (const t of chain) {
        for (const job of jobsOf.get(t.name) ?? []) {
          const out = this.scratchPath(this.writer.format);
          const key = dataKey(this.datasetName, t.name, loadId, jobFileId(job.file), this.writer.format);
          try {
            if (
              await this.writer.fromLoadFile(Object.values(t.columns), job.path, out, filters.get(t.name), job.maxRowBytes ?? 0)
            ) {
              await this.bucket.upload(key, out);
              wrote({ key, format: this.writer.format, table: t.name });
            }
          } catch (err) {
            if (err instanceof PipelineError) throw err;
            throw new PipelineError(
              `table ${t.name}: writing ${key} to ${this.bucket.display} failed: ${(err as Error).message}`,
              {
                cause: err,
                hint: "the package stays pending and nothing of it is visible; fix the cause and run again",
              },
            );
          }
          req.onJobStaged?.(job);
        }
      }
    }

    const reconciled = await this.reconcile(req, cat, written, replaced);
    const now = new Date().toISOString();
    if (req.rejected && req.rejected.length > 0) {
      await this.bucket.writeText(
        dataKey(this.datasetName, REJECTED_TABLE, loadId, "rejected", "jsonl"),
        req.rejected.map((r) => `${JSON.stringify(rejectedRow(r, now))}\n`).join(""),
      );
    }
    const maxRowBytes = Math.max(0, ...req.jobs.map((j) => j.maxRowBytes ?? 0));
    if (cat.newestVersion(schema.name)?.hash !== schema.versionHash) {
      await this.bucket.writeText(
        versionKey(this.datasetName, schema.name, loadId, schema.versionHash),
        versionLine(schema, now),
      );
    }
    if (req.stateRow) {
      await this.bucket.writeText(
        stateKey(this.datasetName, req.stateRow.pipelineName, loadId, req.stateRow.versionHash),
        stateLine(req.stateRow, loadId),
      );
    }
    const marker: LoadMarker = {
      load_id: loadId,
      schema_name: schema.name,
      status: 0,
      inserted_at: now,
      schema_version_hash: schema.versionHash,
      ...(req.packageId === undefined ? {} : { package_id: req.packageId }),
      ...(replaced.length > 0 ? { replaced_files: replaced } : {}),
      max_row_bytes: maxRowBytes,
    };
    // The commit: from here on the load counts, its replaced files do not.
    await this.bucket.writeText(markerKey(this.datasetName, schema.name, loadId), `${JSON.stringify(marker)}\n`);
    if (reconciled.length > 0) req.onReconciled?.(reconciled);
    await this.cleanUp(replaced, req, cat);
  }

  /**
   * The package's key sets, after its rows are written and before the marker: files holding rows
   * gone from the source are rewritten under this load's id (file id `k<hash>`, deterministic, so
   * a retry overwrites them) and the old ones listed as replaced, this load's own files included.
   */
  private async reconcile(
    req: LoadRequest,
    cat: DatasetCatalog,
    written: Map<string, WrittenFile[]>,
    replaced: string[],
  ): Promise<ReconcileResult[]> {
    const out: ReconcileResult[] = [];
    if (!req.reconcile || req.reconcile.length === 0) return out;
    const scratch = this.scratchPath("d");
    const maxRowBytes = Math.max(cat.maxRowBytes, ...req.jobs.map((j) => j.maxRowBytes ?? 0));
    const filesOf = async (table: string): Promise<StoredFile[]> => {
      const visible = cat.visibleFiles(table).filter((f) => !replaced.includes(f.key));
      const local = await this.localFiles(visible);
      // Not through the cache: an uncommitted object may be written again by a retry.
      const own = await Promise.all(
        (written.get(table) ?? []).map(async (f) => ({ ...f, path: await this.bucket.localPath(f.key, scratch) })),
      );
      return [...visible.map((f, i) => ({ ...local[i]!, key: f.key, table })), ...own];
    };
    for (const [n, job] of (req.reconcile ?? []).entries()) {
      const { result, rewrites } = await reconcileFiles({
        duck: await this.duck(),
        writer: this.writer,
        schema: req.schema,
        job,
        temp: `rc${n}`,
        filesOf,
        scratch: (ext) => this.scratchPath(ext),
        maxRowBytes,
      });
      for (const w of rewrites) {
        replaced.push(w.file.key);
        const own = (written.get(w.file.table) ?? []).filter((f) => f.key !== w.file.key);
        if (w.out) {
          const fileId = `k${createHash("sha256").update(`${w.file.key}:${n}`).digest("hex").slice(0, 12)}`;
          const key = dataKey(this.datasetName, w.file.table, req.loadId, fileId, w.file.format);
          await this.bucket.upload(key, w.out);
          own.push({ key, format: w.file.format, table: w.file.table });
        }
        written.set(w.file.table, own);
      }
      out.push(result);
    }
    return out;
  }

  private async planMerge(cat: DatasetCatalog, req: LoadRequest, root: Table, children: Table[], temp: string) {
    const packageFiles = new Map<string, string[]>();
    const storedFiles = new Map<string, StoredFile[]>();
    for (const t of [root, ...children]) {
      packageFiles.set(
        t.name,
        req.jobs.filter((j) => j.table === t.name).map((j) => j.path),
      );
      const visible = cat.visibleFiles(t.name);
      const local = await this.localFiles(visible);
      storedFiles.set(
        t.name,
        visible.map((f, i) => ({ ...local[i]!, key: f.key, table: t.name })),
      );
    }
    return planMerge({
      duck: await this.duck(),
      temp,
      root,
      children,
      packageFiles,
      storedFiles,
      superseded: req.superseded?.[root.name] ?? [],
      maxRowBytes: Math.max(cat.maxRowBytes, ...req.jobs.map((j) => j.maxRowBytes ?? 0)),
    });
  }

  /** After the commit: delete replaced files and old state files. A failure here loses nothing. */
  private async cleanUp(replaced: string[], req: LoadRequest, cat: DatasetCatalog): Promise<void> {
    try {
      if (replaced.length > 0) await this.bucket.delete(replaced);
      if (req.stateRow) {
        const old = cat
          .committedStates(req.stateRow.pipelineName)
          .slice(KEEP_STATE_FILES - 1)
          .map((f) => f.key);
        if (old.length > 0) await this.bucket.delete(old);
      }
    } catch (err) {
      log.warn(
        `load ${req.loadId} is committed, but removing old files failed (the next load retries): ${(err as Error).message}`,
      );
    }
  }

  async close(): Promise<void> {
    const duck = this.duckConn;
    this.duckConn = undefined;
    if (duck) await (await duck).close();
    rmSync(this.scratch, { recursive: true, force: true });
    await this.bucket.close();
  }
}
