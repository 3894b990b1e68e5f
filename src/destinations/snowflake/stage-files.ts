import { randomBytes } from "node:crypto";
import type { Table } from "../../schema/types.js";
import { logger } from "../../util/logger.js";
import type { FileStager, StagedFile } from "../staging.js";
import { LoadError } from "../sql/job-client.js";
import { type CopySource, type SnowflakeBucketAccess, bucketCopySource } from "./bucket-access.js";
import type { SnowflakeConnection } from "./connection.js";
import { snowflakeLiteral } from "./literal.js";

const log = logger("destinations:snowflake");

/**
 * Where one load's files go and how COPY reads them back. One class per setup:
 * * `InternalStage` (default): PUT to a named internal stage (`_dlt_stage` or `stage_name`);
 * * `BucketStage` (`staging = "filesystem"`): uploaded to `[destination.filesystem] bucket_url`
 *   by the shared stager (../staging.ts), read from there (bucket-access.ts).
 */
export interface StageFiles {
  /** `stage @"DS"."_DLT_STAGE"` or `bucket s3://...`, for messages. */
  readonly display: string;
  /** Upload one table's files (as rewritten for COPY); the COPY source naming exactly them. */
  put(table: Table, files: StagedFile[]): Promise<CopySource>;
  /** The package committed: remove what `put` uploaded (a failure is a warning: the data is in). */
  cleanup(): Promise<void>;
}

export class InternalStage implements StageFiles {
  private readonly prefixes: string[] = [];

  private constructor(
    private readonly conn: SnowflakeConnection,
    /** `"DATASET"."_DLT_STAGE"` or the configured stage name, as it follows `@`. */
    readonly name: string,
  ) {}

  /** `create`: the default stage, made on first use. */
  static async open(conn: SnowflakeConnection, name: string, create: boolean): Promise<InternalStage> {
    if (create) await conn.execute(`CREATE STAGE IF NOT EXISTS ${name}`);
    return new InternalStage(conn, name);
  }

  get display(): string {
    return `stage @${this.name}`;
  }

  /** A fresh path per call: a retried load never reads an earlier attempt's files. */
  async put(table: Table, files: StagedFile[]): Promise<CopySource> {
    const prefix = `${table.name.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 64)}/${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
    this.prefixes.push(prefix);
    for (const f of files) {
      try {
        // AUTO_COMPRESS=FALSE: the file is read as it was written (COPY's JSON format detects gzip itself).
        await this.conn.execute(
          `PUT ${snowflakeLiteral(`file://${f.path}`)} @${this.name}/${prefix}/ AUTO_COMPRESS = FALSE OVERWRITE = TRUE`,
        );
      } catch (err) {
        throw new LoadError(
          `table ${table.name}: PUT of load file ${f.file} to stage @${this.name} failed: ${(err as Error).message}`,
          {
            cause: err,
            hint: "the package stays pending and nothing of it was committed; check that the role may write to the stage, then run again",
          },
        );
      }
    }
    const sql = `@${this.name}/${prefix}/`;
    return { sql, display: sql, redact: (t) => t };
  }

  async cleanup(): Promise<void> {
    for (const p of this.prefixes.splice(0)) {
      await this.conn.execute(`REMOVE @${this.name}/${p}/`).catch((err: unknown) => {
        log.warn(`could not remove staged files @${this.name}/${p}/ after the load: ${(err as Error).message}`);
      });
    }
  }
}

export class BucketStage implements StageFiles {
  constructor(
    private readonly stager: FileStager,
    private readonly access: SnowflakeBucketAccess,
    private readonly datasetName: string,
    private readonly loadId: string,
  ) {}

  get display(): string {
    return `bucket ${this.stager.display}`;
  }

  /** Keyed by the package and the file's name: a rerun of a crashed load replaces the same objects. */
  async put(table: Table, files: StagedFile[]): Promise<CopySource> {
    let uris: string[];
    try {
      uris = await this.stager.stage(this.datasetName, this.loadId, files);
    } catch (err) {
      throw new LoadError(
        `table ${table.name}: uploading its load files to the staging bucket ${this.stager.display} failed: ${(err as Error).message}`,
        {
          cause: err,
          hint: "the package stays pending and nothing of it was committed; check [destination.filesystem] bucket_url and its credentials, then run again",
        },
      );
    }
    const first = uris[0]!;
    const folderUri = first.slice(0, first.length - files[0]!.file.length - 1);
    return bucketCopySource(
      this.access,
      folderUri,
      this.stager.folder(this.datasetName, this.loadId),
      files.map((f) => f.file),
    );
  }

  async cleanup(): Promise<void> {
    await this.stager.cleanup(this.datasetName, this.loadId).catch((err: unknown) => {
      log.warn(
        `could not remove the staged files under ${this.stager.display}/${this.stager.folder(this.datasetName, this.loadId)}/ after the load: ${(err as Error).message}`,
      );
    });
  }
}
