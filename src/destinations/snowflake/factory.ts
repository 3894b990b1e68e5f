import type { ConfigResolver } from "../../config/resolver.js";
import type { Secret } from "../../config/secret.js";
import { identifierLength } from "../../normalize/naming.js";
import { ConfigError } from "../../util/errors.js";
import {
  type Capabilities,
  CapabilitiesBase,
  type ConnectOptions,
  type Destination,
  type DestinationClient,
} from "../destination.js";
import { FILESYSTEM_SPEC } from "../filesystem/spec.js";
import type { QueryOptions, QuerySession } from "../query-session.js";
import { AZURE_SCHEMES } from "../filesystem/remote-bucket.js";
import { type StagingBucket, type StagingName, stagingFromConfig } from "../staging.js";
import { type SnowflakeBucketAccess, snowflakeBucketAccess } from "./bucket-access.js";
import { type SnowflakeFiles, SnowflakeClient } from "./client.js";
import { SNOWFLAKE_SESSION_SETUP, SnowflakeConnection, type SnowflakeEndpoint } from "./connection.js";
import { type SnowflakeCredentials, snowflakeTarget } from "./credentials.js";
import { quoteSnowflake, snowflakeDialect } from "./dialect.js";
import { refuseReservedDataset } from "../dataset-name.js";
import { SnowflakeQuerySession } from "./query-session.js";
import { SNOWFLAKE_SPEC } from "./spec.js";
import { BucketStage, InternalStage } from "./stage-files.js";

/** `staging = "filesystem"`: the bucket the load files go to, and how COPY reads it. */
export interface SnowflakeStaging {
  /** `[destination.filesystem] bucket_url` (stagingFromConfig in ../staging.ts); each client stages through its own stager. */
  bucket: StagingBucket;
  /** A named external stage over the bucket, or the bucket's own keys (bucket-access.ts). */
  access: SnowflakeBucketAccess;
}

export interface SnowflakeOptions {
  /** `snowflake://user:password@account/database?warehouse=...&role=...`, or the fields. */
  credentials?: string | Secret | SnowflakeCredentials;
  /**
   * A named stage for the load files (default: `_dlt_stage`, made in the dataset). With `staging`,
   * an external stage over the staging bucket (its URL is bucket_url), which COPY reads through.
   */
  stageName?: string;
  /** Keep the load files on the stage (or in the staging bucket) after the commit. */
  keepStagedFiles?: boolean;
  /** dlt's `staging = "filesystem"`: the load files go to a bucket and COPY reads them from there. */
  staging?: SnowflakeStaging;
  /** Another endpoint than the account's (fakesnow in the tests) and its session setup. */
  endpoint?: SnowflakeEndpoint;
}

/** Snowflake identifiers are at most 255 characters. */
const SNOWFLAKE_MAX_IDENTIFIER = 255;

class SnowflakeCapabilities extends CapabilitiesBase {
  override readonly maxIdentifierLength = SNOWFLAKE_MAX_IDENTIFIER;
  override readonly loaderFileFormat = "jsonl";
}

export const SNOWFLAKE_CAPABILITIES: Capabilities = new SnowflakeCapabilities();

export class SnowflakeDestination implements Destination {
  readonly name = "snowflake";
  readonly capabilities = SNOWFLAKE_CAPABILITIES;
  private readonly target;

  constructor(private readonly options: SnowflakeOptions = {}) {
    // Bad credentials fail when the destination is made, not halfway through a run.
    this.target = snowflakeTarget(options.credentials);
  }

  /** The redacted location: `snowflake://loader:***@account/database?warehouse=...`. */
  location(_o?: ConnectOptions): string {
    return this.target.display;
  }

  private checkDatasetName(o: ConnectOptions): void {
    // Every Snowflake database has an INFORMATION_SCHEMA; unquoted names fold to upper case.
    refuseReservedDataset("Snowflake", o.datasetName, { names: ["information_schema"], ignoreCase: true });
    if (identifierLength(o.datasetName) > SNOWFLAKE_MAX_IDENTIFIER) {
      throw new ConfigError(
        `dataset name ${o.datasetName} is longer than Snowflake's 255 characters (it becomes a schema name)`,
        {
          hint: "pass a shorter datasetName",
        },
      );
    }
  }

  async connect(o: ConnectOptions): Promise<DestinationClient> {
    this.checkDatasetName(o);
    const conn = await SnowflakeConnection.open(this.target, this.options.endpoint);
    const stageName = this.options.stageName ?? `${quoteSnowflake(o.datasetName)}.${quoteSnowflake("_dlt_stage")}`;
    return new SnowflakeClient(o.datasetName, conn, snowflakeDialect(stageName), this.files(o.datasetName, stageName));
  }

  /** One client's: the staging bucket when configured (keyed by the package), else the internal stage. */
  private files(datasetName: string, stageName: string): SnowflakeFiles {
    const keep = this.options.keepStagedFiles;
    const staging = this.options.staging;
    if (staging) {
      const stager = staging.bucket.stager();
      return {
        open: (_conn, loadId) => Promise.resolve(new BucketStage(stager, staging.access, datasetName, loadId)),
        keep,
        close: () => stager.close(),
      };
    }
    return {
      open: (conn) => InternalStage.open(conn, stageName, this.options.stageName === undefined),
      keep,
      close: () => Promise.resolve(),
    };
  }

  /** A read-only query session (SnowflakeQuerySession): in the dataset's schema, with the limit's statement timeout. */
  async openQuerySession(o: QueryOptions): Promise<QuerySession> {
    this.checkDatasetName(o);
    const seconds = Math.max(1, Math.ceil(o.timeoutMs / 1000));
    const endpoint = this.options.endpoint ?? {};
    const conn = await SnowflakeConnection.open(this.target, {
      ...endpoint,
      sessionSetup: [
        ...(endpoint.sessionSetup ?? [...SNOWFLAKE_SESSION_SETUP, `ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = ${seconds}`]),
      ],
    });
    try {
      await conn.execute(`USE SCHEMA ${quoteSnowflake(o.datasetName)}`);
    } catch (err) {
      await conn.close();
      throw new ConfigError(
        `Snowflake has no dataset ${o.datasetName} in ${this.target.display} yet: ${(err as Error).message}`,
        {
          cause: err,
          hint: "run the pipeline first, or check dataset_name",
        },
      );
    }
    return new SnowflakeQuerySession(o.datasetName, conn, o);
  }
}

/** The Snowflake destination: `pipeline({ destination: snowflake({ credentials: "snowflake://..." }) })`. */
export function snowflake(options?: SnowflakeOptions): SnowflakeDestination {
  return new SnowflakeDestination(options);
}

/** COPY reads staged files from S3, GCS (through a named stage) and Azure Blob Storage. */
export const STAGING_SCHEMES: readonly string[] = ["s3", "gs", ...AZURE_SCHEMES];

/** `[destination.snowflake]` (SNOWFLAKE_SPEC); with `staging: "filesystem"`, `[destination.filesystem]` too. */
export function destinationFromConfig(config: ConfigResolver, options: { staging?: StagingName } = {}): SnowflakeDestination {
  const { credentials: c, stageName, keepStagedFiles } = config.resolve(SNOWFLAKE_SPEC).values;
  const credentials: SnowflakeOptions["credentials"] =
    c === undefined
      ? undefined
      : c.connectionString !== undefined
        ? c.connectionString
        : {
            database: c.database,
            username: c.username,
            password: c.password,
            host: c.host,
            warehouse: c.warehouse,
            role: c.role,
            private_key: c.privateKey,
            private_key_passphrase: c.privateKeyPassphrase,
          };
  let staging: SnowflakeStaging | undefined;
  if (options.staging === "filesystem") {
    const bucket = stagingFromConfig(config, "snowflake", STAGING_SCHEMES);
    const keys = config.resolve(FILESYSTEM_SPEC).values.credentials;
    const access = snowflakeBucketAccess(
      bucket.display,
      {
        aws_access_key_id: keys?.awsAccessKeyId,
        aws_secret_access_key: keys?.awsSecretAccessKey,
        aws_session_token: keys?.awsSessionToken,
        azure_storage_sas_token: keys?.azureStorageSasToken,
      },
      stageName,
    );
    staging = { bucket, access };
  }
  return new SnowflakeDestination({
    ...(credentials !== undefined ? { credentials } : {}),
    ...(stageName ? { stageName } : {}),
    keepStagedFiles,
    ...(staging ? { staging } : {}),
  });
}
