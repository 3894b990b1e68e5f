import type { ConfigResolver } from "../config/resolver.js";
import type { JobFile, KeySetJob, RejectedItem, RootTableEntry } from "../package/format.js";
import type { Schema, StoredSchema } from "../schema/schema.js";
import { LOAD_FILE_MAX_BYTES, type LoadFileFormat } from "../writers/index.js";
import type { QueryOptions, QuerySession } from "./query-session.js";

/** What a destination can do; normalize and load adapt to it. */
export interface Capabilities {
  /** Longest table or column name the destination accepts, in bytes (Postgres: 63). */
  readonly maxIdentifierLength: number;
  /** Load file format normalize writes for this destination. */
  readonly loaderFileFormat: LoadFileFormat;
  /** Normalize starts a table's next load file once one holds this many bytes. */
  readonly loadFileMaxBytes: number;
  /** One writing process at a time (DuckDB's file lock): queue workers refuse a second worker. */
  readonly singleWriter: boolean;
}

/**
 * The capabilities most destinations share (kysely's DialectAdapterBase): a destination extends
 * it and overrides what differs, so a capability added later has a default everywhere.
 */
export class CapabilitiesBase implements Capabilities {
  /** What common warehouses accept (Snowflake 255, Redshift and BigQuery 127 or more). */
  readonly maxIdentifierLength: number = 127;
  readonly loaderFileFormat: LoadFileFormat = "jsonl";
  readonly loadFileMaxBytes: number = LOAD_FILE_MAX_BYTES;
  readonly singleWriter: boolean = false;
}

/** A `_dlt_pipeline_state` row as stored in the destination. */
export interface StateRow {
  version: number;
  engineVersion: number;
  pipelineName: string;
  /** base64(zlib(json)), as dlt stores it. */
  state: string;
  createdAt: string;
  versionHash: string;
  loadId: string;
  dltId: string;
}

/** A job file to load, with its absolute path. */
export type LoadJob = JobFile & { path: string };

/** A package's jobs grouped by table, in the order they came. */
export function jobsByTable(jobs: LoadJob[]): Map<string, LoadJob[]> {
  const out = new Map<string, LoadJob[]>();
  for (const j of jobs) {
    let list = out.get(j.table);
    if (!list) out.set(j.table, (list = []));
    list.push(j);
  }
  return out;
}

/** A key set to reconcile a table with, its keys read from the package. */
export type ReconcileJob = KeySetJob & { keys: string[] };

/**
 * What reconciling one part of a table found, committed with the load: of the rows of
 * `partition`, `removed` were removed and `marked` marked deleted because their key was not in
 * the source's list, and `live` are left that are not marked deleted.
 */
export interface ReconcileResult {
  resource: string;
  table: string;
  partition: Record<string, string | number | boolean>;
  label?: string;
  /** What the source said it holds (`$total`), when it said. */
  total?: number;
  /** Keys the source listed. */
  listed: number;
  removed: number;
  marked: number;
  live: number;
  mode: "replace" | "deletions";
}

/** Everything one load transaction needs. File paths are absolute. */
export interface LoadRequest {
  loadId: string;
  /** Recorded in `_dlt_loads.package_id`; `load` checks it as `isLoaded` does (absent: older packages). */
  packageId?: string;
  schema: Schema;
  jobs: LoadJob[];
  rootTables: RootTableEntry[];
  /** Per merge table, root `_dlt_id`s that a later row with the same key replaces (skip them). */
  superseded?: Record<string, string[]>;
  /**
   * Tables to drop (child tables first) before anything else of this load, in the same commit
   * (`pipeline X drop`): the package's schema no longer has them, so the schema version and state
   * recorded with the load are the ones without them. Dropping a table that is not there is no error.
   */
  dropTables?: string[];
  /** Present when this package carries a new pipeline state. */
  stateRow?: Omit<StateRow, "loadId">;
  /** Called when a job's file has been staged, for progress displays and job-state moves. */
  onJobStaged?: (job: JobFile) => void;
  /**
   * Key sets to apply after the package's rows are in, in the same commit: rows of each part whose
   * key the source no longer lists go as the set says (see `KeySet`).
   */
  reconcile?: ReconcileJob[];
  /** Items normalize quarantined: rows of `_dlt_rejected`, committed with the load. */
  rejected?: RejectedItem[];
  /** Called once the load committed, with what each key set did. */
  onReconciled?: (results: ReconcileResult[]) => void;
}

export type ResultRow = Record<string, unknown>;

/**
 * A connection to one dataset of one destination. `load` is the whole write path: schema
 * migration, staging, the write dispositions, the `_dlt_loads` row and the state row commit
 * together or not at all, so reloading a committed package is a no-op (see `isLoaded`).
 */
export interface DestinationClient {
  readonly datasetName: string;
  storedSchema(schemaName: string): Promise<StoredSchema | undefined>;
  /**
   * Whether package `packageId` is in under `loadId` (`_dlt_loads`, status 0). Throws `LoadIdTaken`
   * (load-identity.ts) when the load id is there for another package. Without `packageId`: whether
   * any package is in under `loadId`.
   */
  isLoaded(loadId: string, packageId?: string): Promise<boolean>;
  load(request: LoadRequest): Promise<void>;
  storedState(pipelineName: string): Promise<StateRow | undefined>;
  /** Read-only SQL against the dataset (unqualified names resolve to the dataset). */
  query(sql: string): Promise<ResultRow[]>;
  /** Names of the dataset's tables as they exist now. */
  tableNames(): Promise<string[]>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  datasetName: string;
  pipelineName: string;
  /** The pipeline's working dir; DuckDB puts its default file there. */
  workingDir: string;
}

export interface Destination {
  readonly name: string;
  readonly capabilities: Capabilities;
  /** Where the data goes, credentials redacted: `duckdb:/abs/path/x.duckdb`, `postgresql://u:***@h/db`. */
  location(options: ConnectOptions): string;
  connect(options: ConnectOptions): Promise<DestinationClient>;
  /**
   * The one way a surface that runs a user's SQL (dashboard, MCP server) reaches the dataset:
   * read-only by construction, capped, never creating anything (see `QuerySession`). A destination
   * without one cannot be queried from those surfaces.
   */
  openQuerySession?(options: QueryOptions): Promise<QuerySession>;
}

/**
 * What a destination folder's `index.ts` exports for the registry: the destination made from its
 * own config spec (`[destination.<name>]`). The registry imports the folder only when the
 * destination is asked for, and the folder imports its driver only when it connects.
 */
export interface DestinationModule {
  /** `options.staging` is passed only to a module that declares `STAGING_SCHEMES` (it can load from a bucket). */
  destinationFromConfig(config: ConfigResolver, options?: { staging?: "filesystem" }): Destination;
  /** The bucket kinds (`gs`, `s3`) this destination loads staged files from (`staging = "filesystem"`). */
  readonly STAGING_SCHEMES?: readonly string[];
}
