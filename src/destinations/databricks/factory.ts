import type { ConfigResolver } from "../../config/resolver.js";
import type { Secret } from "../../config/secret.js";
import { ConfigError } from "../../util/errors.js";
import { type Capabilities, CapabilitiesBase, type ConnectOptions, type Destination, type LoadRequest } from "../destination.js";
import type { QueryOptions, QuerySession } from "../query-session.js";
import { FILESYSTEM_SPEC } from "../filesystem/spec.js";
import { AZURE_SCHEMES, isAzureScheme, schemeOf } from "../filesystem/remote-bucket.js";
import { type StagingBucket, type StagingName, stagingFromConfig } from "../staging.js";
import { DatabricksClient } from "./client.js";
import { DatabricksConnection, type DatabricksSettings } from "./connection.js";
import { dbxQuote } from "./dialect.js";
import { type BucketAccess, credentialClause } from "./bucket-access.js";
import { BucketFiles, type FileSource, VolumeFiles } from "./file-sources.js";
import { DatabricksQuerySession } from "./query-session.js";
import { DATABRICKS_SPEC } from "./spec.js";

/** `[destination.databricks.credentials]`, dlt's names. */
export interface DatabricksCredentials {
  server_hostname?: string | undefined;
  http_path?: string | undefined;
  access_token?: string | Secret | undefined;
  catalog?: string | undefined;
  port?: number | undefined;
}

/** `staging = "filesystem"`: the bucket the files go to, and how COPY INTO may read it. */
export interface DatabricksStaging extends BucketAccess {
  /** `[destination.filesystem] bucket_url`; each client stages through its own stager (`DatabricksClient.stager`). */
  bucket: StagingBucket;
}

export interface DatabricksOptions {
  credentials?: DatabricksCredentials;
  /** `catalog.schema.volume` to PUT load files to; default `_dlt_staging_load_volume` in the dataset's schema. */
  stagingVolumeName?: string;
  staging?: DatabricksStaging;
  /** More of the driver's connect options (a proxy, a CA certificate, another authentication). */
  connectOptions?: DatabricksSettings["connectOptions"];
}

class DatabricksCapabilities extends CapabilitiesBase {
  // Unity Catalog names (tables, columns) take up to 255 characters, as dlt declares.
  override readonly maxIdentifierLength = 255;
}

export const DATABRICKS_CAPABILITIES: Capabilities = new DatabricksCapabilities();

const DEFAULT_VOLUME = "_dlt_staging_load_volume";

export class DatabricksDestination implements Destination {
  readonly name = "databricks";
  readonly capabilities = DATABRICKS_CAPABILITIES;

  constructor(protected readonly options: DatabricksOptions = {}) {
    const c = options.credentials ?? {};
    const missing = [
      ["server_hostname", c.server_hostname],
      ["http_path", c.http_path],
    ].filter(([, v]) => !v);
    if (missing.length > 0) {
      const keys = missing.map(([k]) => k!).join(" and ");
      throw new ConfigError(`the databricks credentials need ${keys}`, {
        hint: `set ${missing.map(([k]) => `DESTINATION__DATABRICKS__CREDENTIALS__${k!.toUpperCase()}`).join(" and ")} (the warehouse's Connection details page shows both)`,
      });
    }
    const v = options.stagingVolumeName;
    if (v !== undefined && v.split(".").length !== 3) {
      throw new ConfigError(`staging_volume_name ${JSON.stringify(v)} is not catalog.schema.volume`, {
        hint: "set [destination.databricks] staging_volume_name to a volume's full name, e.g. main.raw.landing",
      });
    }
  }

  private settings(): DatabricksSettings {
    const c = this.options.credentials ?? {};
    return {
      // The Connection details page shows the host bare; a pasted URL works too.
      serverHostname: c.server_hostname!.replace(/^https?:\/\//, "").replace(/\/+$/, ""),
      httpPath: c.http_path!,
      accessToken: c.access_token,
      catalog: c.catalog,
      port: c.port,
      connectOptions: this.options.connectOptions,
    };
  }

  /** `databricks://<host><http_path>/<catalog>.<dataset>` (no token). */
  location(o: ConnectOptions): string {
    const s = this.settings();
    return `databricks://${s.serverHostname}${s.httpPath.startsWith("/") ? "" : "/"}${s.httpPath}/${s.catalog ? `${s.catalog}.` : ""}${o.datasetName}`;
  }

  /** The driver's session; a test may wrap it (crash tests fail a chosen statement). */
  protected openConnection(): Promise<DatabricksConnection> {
    return DatabricksConnection.open(this.settings());
  }

  /** Where this load's files are read from (file-sources.ts); a test's local engine reads them in place. */
  protected async fileSource(client: DatabricksClient, req: LoadRequest): Promise<FileSource> {
    const staging = this.options.staging;
    if (staging && client.stager) {
      return new BucketFiles(client.conn, client.stager, client.datasetName, req.loadId, credentialClause(staging), req.jobs);
    }
    let volume = this.options.stagingVolumeName;
    if (!volume) {
      const catalog = client.conn.catalog ?? String((await client.conn.raw("SELECT current_catalog() AS c"))[0]?.c);
      volume = `${catalog}.${client.datasetName}.${DEFAULT_VOLUME}`;
      await client.conn.execute(`CREATE VOLUME IF NOT EXISTS ${volume.split(".").map(dbxQuote).join(".")}`);
    }
    return new VolumeFiles(client.conn, `/Volumes/${volume.split(".").join("/")}/${client.datasetName}/${req.loadId}`);
  }

  async connect(o: ConnectOptions): Promise<DatabricksClient> {
    return new DatabricksClient(
      o.datasetName,
      await this.openConnection(),
      (client, req) => this.fileSource(client, req),
      this.options.staging?.bucket.stager(),
    );
  }

  /** A read-only query session (DatabricksQuerySession): in the dataset's schema, with the limit's statement timeout. */
  async openQuerySession(o: QueryOptions): Promise<QuerySession> {
    const conn = await this.openConnection();
    try {
      await conn.execute(`USE ${dbxQuote(o.datasetName)}`);
    } catch (err) {
      await conn.close();
      throw new ConfigError(`Databricks has no dataset ${o.datasetName} at ${this.location(o)} yet: ${(err as Error).message}`, {
        cause: err,
        hint: "run the pipeline first, or check dataset_name",
      });
    }
    await conn.execute(`SET STATEMENT_TIMEOUT = ${String(Math.max(1, Math.ceil(o.timeoutMs / 1000)))}`);
    return new DatabricksQuerySession(o.datasetName, conn, o);
  }
}

export function databricks(options?: DatabricksOptions): DatabricksDestination {
  return new DatabricksDestination(options);
}

/** COPY INTO reads staged files from S3, GCS and Azure (as abfss://, bucket-access.ts) buckets. */
export const STAGING_SCHEMES = ["s3", "gs", ...AZURE_SCHEMES];

/** `[destination.databricks]` (DATABRICKS_SPEC); with `staging: "filesystem"`, `[destination.filesystem]` too. */
export function destinationFromConfig(config: ConfigResolver, options: { staging?: StagingName } = {}): DatabricksDestination {
  const { credentials: c, stagingVolumeName, stagingCredentialsName } = config.resolve(DATABRICKS_SPEC).values;
  let staging: DatabricksStaging | undefined;
  if (options.staging === "filesystem") {
    const bucket = stagingFromConfig(config, "databricks", STAGING_SCHEMES);
    const fs = config.resolve(FILESYSTEM_SPEC).values;
    const keys = fs.credentials;
    const s3 = fs.bucketUrl?.startsWith("s3://") && keys?.awsAccessKeyId && keys.awsSecretAccessKey !== undefined;
    const sas = isAzureScheme(schemeOf(fs.bucketUrl ?? "")) ? keys?.azureStorageSasToken : undefined;
    staging = {
      bucket,
      credentialsName: stagingCredentialsName,
      ...(sas !== undefined ? { azureSasToken: sas } : {}),
      ...(s3
        ? {
            s3Keys: {
              accessKeyId: keys.awsAccessKeyId!,
              secretAccessKey: keys.awsSecretAccessKey!,
              sessionToken: keys.awsSessionToken,
            },
          }
        : {}),
    };
  }
  return databricks({
    credentials: {
      server_hostname: c?.serverHostname,
      http_path: c?.httpPath,
      access_token: c?.accessToken,
      catalog: c?.catalog,
      port: c?.port,
    },
    ...(stagingVolumeName ? { stagingVolumeName } : {}),
    ...(staging ? { staging } : {}),
  });
}
