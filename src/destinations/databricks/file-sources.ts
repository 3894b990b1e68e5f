import { dirname } from "node:path";
import type { Table } from "../../schema/types.js";
import type { LoadJob } from "../destination.js";
import type { FileStager } from "../staging.js";
import { databricksReadUri } from "./bucket-access.js";
import type { DatabricksConnection } from "./connection.js";
import { dbxLiteral, dbxQuote, fileFieldType, fileValueExpr } from "./dialect.js";

/**
 * The select list that reads one table's load files: each line is a `value` of the TEXT format,
 * parsed with `from_json` into STRING (and VARIANT) fields and cast to the columns' types
 * (dialect.ts says why). The same list serves `COPY INTO ... FROM (SELECT ...)` and the local
 * engine's `INSERT ... SELECT`, so what the local engine proves about reading files is what
 * Databricks runs.
 */
export function fileSelectList(t: Table): string {
  const cols = Object.values(t.columns);
  const schema = dbxLiteral(cols.map((c) => `${dbxQuote(c.name)} ${fileFieldType(c)}`).join(", "));
  return cols
    .map((c) => `${fileValueExpr(c, `from_json(value, ${schema}).${dbxQuote(c.name)}`)} AS ${dbxQuote(c.name)}`)
    .join(", ");
}

/** `COPY INTO` a staging table from files under `folder` (a volume path or a bucket URI). */
export function copyIntoSql(staging: string, t: Table, folder: string, files: string[], credential = ""): string {
  return [
    `COPY INTO ${staging}`,
    `FROM (SELECT ${fileSelectList(t)} FROM ${dbxLiteral(folder)}${credential})`,
    `FILEFORMAT = TEXT`,
    `FILES = (${files.map(dbxLiteral).join(", ")})`,
    // The staging table is new on every attempt; force makes the step repeatable regardless.
    `COPY_OPTIONS ('force' = 'true')`,
  ].join(" ");
}

/**
 * Where a package's load files are read from: how they get there and the statement that fills a
 * staging table with one table's rows. One declared variant per setup:
 * * `VolumeFiles` (default): `PUT` through the driver into a Unity Catalog volume, then `COPY INTO`;
 * * `BucketFiles` (`staging = "filesystem"`): uploaded to the s3://, gs:// or Azure bucket, then `COPY INTO`
 *   with the bucket's keys, a named storage credential, or an external location;
 * * a test's subclass where the engine reads this machine's files in place (the local engine).
 */
export interface FileSource {
  /** Fill `staging` (already created, empty) with the rows of `jobs`. */
  fill(staging: string, t: Table, jobs: LoadJob[]): Promise<void>;
  /** The package committed: remove what `fill` left behind. */
  cleanup(): Promise<void>;
}

export class VolumeFiles implements FileSource {
  private readonly putFiles: string[] = [];

  constructor(
    private readonly conn: DatabricksConnection,
    /** `/Volumes/<catalog>/<schema>/<volume>/<dataset>/<load_id>`. */
    private readonly folder: string,
  ) {}

  async fill(staging: string, t: Table, jobs: LoadJob[]): Promise<void> {
    for (const j of jobs) {
      const remote = `${this.folder}/${j.file}`;
      // OVERWRITE: a rerun uploads the file again, whole.
      await this.conn.execute(`PUT ${dbxLiteral(j.path)} INTO ${dbxLiteral(remote)} OVERWRITE`, [dirname(j.path)]);
      this.putFiles.push(remote);
    }
    await this.conn.execute(
      copyIntoSql(
        staging,
        t,
        this.folder,
        jobs.map((j) => j.file),
      ),
    );
  }

  async cleanup(): Promise<void> {
    for (const f of this.putFiles.splice(0)) await this.conn.execute(`REMOVE ${dbxLiteral(f)}`);
  }
}

export class BucketFiles implements FileSource {
  private readonly uris = new Map<LoadJob, string>();

  constructor(
    private readonly conn: DatabricksConnection,
    private readonly stager: FileStager,
    private readonly datasetName: string,
    private readonly loadId: string,
    /** ` WITH (CREDENTIAL ...)` or empty (an external location grants access). */
    private readonly credential: string,
    private readonly allJobs: LoadJob[],
  ) {}

  async fill(staging: string, t: Table, jobs: LoadJob[]): Promise<void> {
    // The package's files go up together on the first fill; files the client writes itself (key
    // sets, quarantined items) when they are filled.
    const missing = [...new Set([...(this.uris.size === 0 ? this.allJobs : []), ...jobs])].filter((j) => !this.uris.has(j));
    if (missing.length > 0) {
      const staged = await this.stager.stage(this.datasetName, this.loadId, missing);
      missing.forEach((j, i) => this.uris.set(j, staged[i]!));
    }
    const uris = jobs.map((j) => databricksReadUri(this.uris.get(j)!));
    const folder = commonFolder(uris);
    const files = uris.map((u) => u.slice(folder.length + 1));
    await this.conn.execute(copyIntoSql(staging, t, folder, files, this.credential));
  }

  async cleanup(): Promise<void> {
    await this.stager.cleanup(this.datasetName, this.loadId);
  }
}

/** The longest folder every URI is under. */
function commonFolder(uris: string[]): string {
  let folder = uris[0]!.slice(0, uris[0]!.lastIndexOf("/"));
  while (!uris.every((u) => u.startsWith(`${folder}/`))) folder = folder.slice(0, folder.lastIndexOf("/"));
  return folder;
}
