import type { ConfigResolver } from "../../config/resolver.js";
import type { Secret } from "../../config/secret.js";
import { identifierLength } from "../../normalize/naming.js";
import { ConfigError } from "../../util/errors.js";
import {
  CapabilitiesBase,
  type Capabilities,
  type ConnectOptions,
  type Destination,
  type DestinationClient,
} from "../destination.js";
// The spec and the bucket type only: the filesystem destination's client (and DuckDB) stay unloaded.
import type { S3Credentials } from "../filesystem/bucket.js";
import { FILESYSTEM_SPEC } from "../filesystem/spec.js";
import { type StagingBucket, type StagingName, stagingFromConfig } from "../staging.js";
import { type PgFlavour, type PostgresCredentials, resolvePgFlavourTarget } from "../postgres/credentials.js";
import type { QueryOptions, QuerySession } from "../query-session.js";
import { SqlJobClient } from "../sql/job-client.js";
import { REDSHIFT_ENGINE, REDSHIFT_HINT, type RedshiftEngine, openRedshiftSession } from "./connection.js";
import { redshiftDialect } from "./dialect.js";
import { refuseReservedDataset } from "../dataset-name.js";
import { POSTGRES_RESERVED_SCHEMAS } from "../postgres/dialect.js";
import { RedshiftQuerySession } from "./query-session.js";
import { type S3StagingAuth, missingStagingAuth } from "./s3-copy.js";
import { REDSHIFT_SPEC } from "./spec.js";
import { RedshiftStagingClient } from "./staging-client.js";

/** Where COPY reads load files from (dlt's `staging = "filesystem"` with an s3:// bucket_url). */
export interface RedshiftStagingOptions {
  /**
   * `[destination.filesystem] bucket_url` (an s3:// bucket) and its keys: `stagingFromConfig` in
   * ../staging.ts, as the other warehouses stage. Files go under `<prefix>/<dataset>/_staging/<load_id>/`.
   */
  bucket: StagingBucket;
  /** `arn:aws:iam::<account>:role/<name>`: COPY reads the bucket as this role (dlt's staging_iam_role). */
  iamRole?: string;
  /** The keys COPY passes when no `iamRole` is set (the bucket's, `[destination.filesystem.credentials]`), and its region. */
  credentials?: S3Credentials;
}

export interface RedshiftOptions {
  /** `redshift://user:password@host:5439/database` (or `postgresql://`), or the fields. */
  credentials?: string | Secret | PostgresCredentials;
  /** Load by `COPY ... FROM 's3://...'` instead of multi-row INSERTs. */
  staging?: RedshiftStagingOptions;
}

const REDSHIFT: PgFlavour = { name: "redshift", scheme: "redshift", defaultPort: 5439, hint: REDSHIFT_HINT };

/** Redshift identifiers are at most 127 bytes; it folds them to lower case (normalize writes lower case). */
const REDSHIFT_MAX_IDENTIFIER_BYTES = 127;

class RedshiftCapabilities extends CapabilitiesBase {
  override readonly maxIdentifierLength = REDSHIFT_MAX_IDENTIFIER_BYTES;
  override readonly loaderFileFormat = "jsonl";
}

export const REDSHIFT_CAPABILITIES: Capabilities = new RedshiftCapabilities();

export class RedshiftDestination implements Destination {
  readonly name = "redshift";
  readonly capabilities = REDSHIFT_CAPABILITIES;
  private readonly target;

  /** `engine`: Redshift; the tests pass a Postgres stand-in (test/destinations/redshift-on-postgres.ts). */
  constructor(
    private readonly options: RedshiftOptions = {},
    private readonly engine: RedshiftEngine = REDSHIFT_ENGINE,
  ) {
    // Bad credentials fail when the destination is made, not halfway through a run.
    this.target = resolvePgFlavourTarget(options.credentials, REDSHIFT);
    const s = options.staging;
    if (!s) return;
    if (!/^s3:\/\/[^/]+/.test(s.bucket.display)) {
      throw new ConfigError(`Redshift staging bucket_url ${s.bucket.display} is not an s3:// bucket (COPY reads from S3 only)`, {
        hint: 'set [destination.filesystem] bucket_url = "s3://bucket/prefix", or unset [destination.redshift] staging',
      });
    }
    const missing = missingStagingAuth(this.copyAuth(s));
    if (missing) throw new ConfigError(missing.message, { hint: missing.hint });
  }

  private copyAuth(s: RedshiftStagingOptions): S3StagingAuth {
    return { iamRole: s.iamRole, credentials: s.credentials };
  }

  /** The redacted location: `redshift://loader:***@cluster:5439/db`. */
  location(_o?: ConnectOptions): string {
    return this.target.display;
  }

  private checkDatasetName(o: ConnectOptions): void {
    refuseReservedDataset("Redshift", o.datasetName, POSTGRES_RESERVED_SCHEMAS);
    if (identifierLength(o.datasetName) > REDSHIFT_MAX_IDENTIFIER_BYTES) {
      throw new ConfigError(`dataset name ${o.datasetName} is longer than Redshift's 127 bytes (it becomes a schema name)`, {
        hint: "pass a shorter datasetName",
      });
    }
  }

  async connect(o: ConnectOptions): Promise<DestinationClient> {
    this.checkDatasetName(o);
    const s = this.options.staging;
    // A stager of this client's own: closing the client closes only its connection to the bucket.
    const staging = s && { stager: s.bucket.stager(), auth: this.copyAuth(s), datasetName: o.datasetName };
    const dialect = redshiftDialect(this.engine.types, staging);
    const conn = await openRedshiftSession(this.engine, this.target.config(), this.target.display, dialect.quote(o.datasetName));
    return staging
      ? new RedshiftStagingClient(o.datasetName, conn, dialect, staging.stager)
      : new SqlJobClient(o.datasetName, conn, dialect);
  }

  async openQuerySession(o: QueryOptions): Promise<QuerySession> {
    this.checkDatasetName(o);
    const searchPath = redshiftDialect(this.engine.types).quote(o.datasetName);
    const conn = await openRedshiftSession(this.engine, this.target.config(), this.target.display, searchPath);
    return new RedshiftQuerySession(o.datasetName, conn, o);
  }
}

/** The Redshift destination: `pipeline({ destination: redshift({ credentials: "redshift://..." }) })`. */
export function redshift(options?: RedshiftOptions): RedshiftDestination {
  return new RedshiftDestination(options);
}

/** Redshift's COPY reads from S3 only. */
export const STAGING_SCHEMES = ["s3"] as const;

/**
 * `[destination.redshift]` (REDSHIFT_SPEC). With `staging = "filesystem"` (`options.staging` is
 * `[pipeline] staging`; `[destination.redshift] staging` says the same for Redshift alone) the
 * staging bucket is the filesystem destination's `bucket_url` and credentials, as in dlt, and COPY
 * reads it as `staging_iam_role` or with those keys.
 */
export function destinationFromConfig(config: ConfigResolver, options: { staging?: StagingName } = {}): RedshiftDestination {
  const own = config.resolve(REDSHIFT_SPEC).values;
  const { credentials: c, stagingIamRole } = own;
  const staging = options.staging ?? own.staging;
  const credentials: RedshiftOptions["credentials"] =
    c === undefined
      ? undefined
      : c.connectionString !== undefined
        ? c.connectionString
        : { host: c.host, port: c.port, username: c.username, password: c.password, database: c.database, sslmode: c.sslmode };
  let stagingOptions: RedshiftStagingOptions | undefined;
  if (staging === "filesystem") {
    const bucket = stagingFromConfig(config, "redshift", STAGING_SCHEMES);
    const k = config.resolve(FILESYSTEM_SPEC).values.credentials;
    stagingOptions = {
      bucket,
      ...(k
        ? {
            credentials: {
              aws_access_key_id: k.awsAccessKeyId,
              aws_secret_access_key: k.awsSecretAccessKey,
              aws_session_token: k.awsSessionToken,
              region_name: k.regionName,
            },
          }
        : {}),
      ...(stagingIamRole ? { iamRole: stagingIamRole } : {}),
    };
  }
  return new RedshiftDestination({
    ...(credentials !== undefined ? { credentials } : {}),
    ...(stagingOptions ? { staging: stagingOptions } : {}),
  });
}
