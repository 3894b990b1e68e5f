import type { BigQuery, Job, Query } from "@google-cloud/bigquery";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Secret, reveal } from "../../config/secret.js";
import type { ResultRow } from "../destination.js";
import { importOptional } from "../optional-import.js";
import { type RestField, type RestRow, rowValue } from "./values.js";

type BigQueryModule = typeof import("@google-cloud/bigquery");

/** What a connection is made from (`[destination.bigquery]`, resolved). */
export interface BigQuerySettings {
  projectId?: string | undefined;
  privateKey?: string | Secret | undefined;
  clientEmail?: string | undefined;
  location: string;
  apiEndpoint?: string | undefined;
}

export type QueryParams = Record<string, string | number | boolean | string[]>;

/** A result page limit: the first `maxRows` rows, and whether more matched. */
export interface Capped {
  rows: ResultRow[];
  columns: string[];
  truncated: boolean;
}

/**
 * The official SDK's client, reduced to what the destination needs: query jobs (results read raw
 * and typed here, see values.ts) and load jobs. Every statement is one job; BigQuery has no
 * session here, so nothing is open between calls.
 */
export class BigQueryConnection {
  private constructor(
    private readonly bq: BigQuery,
    readonly projectId: string,
    private readonly location: string,
  ) {}

  static async open(s: BigQuerySettings): Promise<BigQueryConnection> {
    const mod = await importOptional<BigQueryModule>("@google-cloud/bigquery", "destination bigquery");
    // CommonJS under ESM: the named export, or the same on `default` where Node's detection misses it.
    const Ctor =
      (mod.BigQuery as typeof mod.BigQuery | undefined) ?? (mod as unknown as { default: BigQueryModule }).default.BigQuery;
    const key = s.privateKey === undefined ? undefined : reveal(s.privateKey);
    const bq = new Ctor({
      ...(s.projectId ? { projectId: s.projectId } : {}),
      location: s.location,
      ...(s.apiEndpoint ? { apiEndpoint: s.apiEndpoint.replace(/\/+$/, "") } : {}),
      // The deprecation is about credential configs from untrusted sources; this is the user's own key.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      ...(key && s.clientEmail ? { credentials: { client_email: s.clientEmail, private_key: key } } : {}),
    });
    if (s.apiEndpoint && !key) unauthenticatedUploads(bq);
    const projectId = s.projectId ?? (await bq.getProjectId());
    return new BigQueryConnection(bq, projectId, s.location);
  }

  private request(sql: string, params?: QueryParams, defaultDataset?: string, jobTimeoutMs?: number): Query {
    const q: Query = { query: sql, location: this.location, useLegacySql: false };
    if (params && Object.keys(params).length > 0) q.params = params;
    if (defaultDataset) q.defaultDataset = { projectId: this.projectId, datasetId: defaultDataset };
    if (jobTimeoutMs !== undefined) q.jobTimeoutMs = jobTimeoutMs;
    return q;
  }

  async execute(sql: string, params?: QueryParams): Promise<void> {
    await this.read(this.request(sql, params), 0);
  }

  async query(sql: string, params?: QueryParams, defaultDataset?: string): Promise<ResultRow[]> {
    return (await this.read(this.request(sql, params, defaultDataset), Number.POSITIVE_INFINITY)).rows;
  }

  /** A query's rows, page by page, stopping after `maxRows` (one more tells that it was cut). */
  async queryCapped(sql: string, maxRows: number, defaultDataset: string, timeoutMs: number): Promise<Capped> {
    return this.read(this.request(sql, undefined, defaultDataset, timeoutMs), maxRows);
  }

  /** What BigQuery classifies the statement as (a dry run: nothing runs): `SELECT`, `INSERT`, `SCRIPT`... */
  async statementType(sql: string, defaultDataset: string): Promise<string | undefined> {
    const [job] = await this.bq.createQueryJob({
      query: sql,
      location: this.location,
      useLegacySql: false,
      dryRun: true,
      defaultDataset: { projectId: this.projectId, datasetId: defaultDataset },
    });
    const meta = job.metadata as { statistics?: { query?: { statementType?: string } } } | undefined;
    return meta?.statistics?.query?.statementType;
  }

  /**
   * Run a query as a job and read its rows raw (typed by values.ts), page by page, stopping after
   * `maxRows` (one more tells that it was cut); 0 reads none (DDL, DML). Always a job, not the
   * SDK's one-round-trip jobs.query path: bqemulator's jobs.query ignores the default dataset.
   */
  private async read(q: Query, maxRows: number): Promise<Capped> {
    type Page = [RestRow[] | undefined, unknown, { schema?: { fields?: RestField[] }; pageToken?: string } | undefined];
    const [job] = await this.bq.createQueryJob(q);
    const rows: ResultRow[] = [];
    let fields: RestField[] = [];
    let pageToken: string | undefined;
    do {
      const [page, , resp] = (await job.getQueryResults({
        autoPaginate: false,
        skipParsing: true,
        ...(pageToken ? { pageToken } : {}),
        ...(Number.isFinite(maxRows) ? { maxResults: Math.min(10_000, maxRows + 1 - rows.length) } : {}),
      })) as unknown as Page;
      fields = resp?.schema?.fields ?? fields;
      for (const r of page ?? []) rows.push(rowValue(r, fields));
      pageToken = resp?.pageToken;
    } while (pageToken && rows.length <= maxRows);
    return { rows: rows.slice(0, maxRows), columns: fields.map((f) => f.name), truncated: rows.length > maxRows };
  }

  /** A load job from a local newline-delimited JSON file into an existing table (appends). */
  async loadFile(dataset: string, table: string, path: string): Promise<void> {
    const [job] = await this.bq.dataset(dataset, { location: this.location }).table(table).createLoadJob(path, {
      sourceFormat: "NEWLINE_DELIMITED_JSON",
      writeDisposition: "WRITE_APPEND",
      createDisposition: "CREATE_NEVER",
    });
    await waitForJob(job);
  }

  /**
   * Rows the load itself makes (key sets, quarantined items) into an existing table: one load job
   * from a newline-delimited JSON file written to a temp folder and removed after, so they arrive
   * the bulk way too and all at once (a load job commits whole or not at all). No rows: no job.
   */
  async loadRows(dataset: string, table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    const dir = await mkdtemp(join(tmpdir(), "sp-bq-rows-"));
    try {
      const file = join(dir, `${table}.jsonl`);
      await writeFile(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
      await this.loadFile(dataset, table, file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** One load job reading every `gs://` URI (files uploaded to the staging bucket) into a table. */
  async loadUris(dataset: string, table: string, uris: string[]): Promise<void> {
    const [job] = await this.bq.createJob({
      configuration: {
        load: {
          sourceUris: uris,
          destinationTable: { projectId: this.projectId, datasetId: dataset, tableId: table },
          sourceFormat: "NEWLINE_DELIMITED_JSON",
          writeDisposition: "WRITE_APPEND",
          createDisposition: "CREATE_NEVER",
        },
      },
      location: this.location,
    });
    await waitForJob(job);
  }

  async dropDataset(dataset: string): Promise<void> {
    await this.bq
      .dataset(dataset)
      .delete({ force: true })
      .catch((err: unknown) => {
        if ((err as { code?: number }).code !== 404) throw err;
      });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface JobMeta {
  status?: { state?: string; errorResult?: { message?: string } };
}

/**
 * Wait for a load job and throw its error (a load job that fails still "completes" as a job). The
 * insert's answer often says DONE already; otherwise poll, from 100 ms up to 2 s apart.
 */
async function waitForJob(job: Job): Promise<void> {
  let meta = job.metadata as JobMeta | undefined;
  for (let wait = 100; meta?.status?.state !== "DONE"; wait = Math.min(2000, wait * 2)) {
    await new Promise((r) => setTimeout(r, wait));
    [meta] = (await job.getMetadata()) as unknown as [JobMeta];
  }
  const e = meta.status.errorResult;
  if (e) throw new Error(`load job ${job.id ?? ""} failed: ${e.message ?? "unknown error"}`);
}

/**
 * Against an endpoint without credentials (an emulator), the SDK's multipart upload of a load job
 * sends a request with no headers object at all and its HTTP layer throws before sending
 * (teeny-request sets a header on it). Authenticated requests always carry headers; this gives the
 * unauthenticated ones an empty object, and changes nothing else.
 */
function unauthenticatedUploads(bq: BigQuery): void {
  type Make = (reqOpts: { headers?: Record<string, string> }, cb: unknown) => unknown;
  const target = bq as unknown as { makeAuthenticatedRequest: Make };
  const make = target.makeAuthenticatedRequest;
  target.makeAuthenticatedRequest = (reqOpts, cb) => make({ ...reqOpts, headers: reqOpts.headers ?? {} }, cb);
}
