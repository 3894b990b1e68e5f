import type { ConfigResolver } from "../../config/resolver.js";
import type { Secret } from "../../config/secret.js";
import { ConfigError } from "../../util/errors.js";
import { type Capabilities, CapabilitiesBase, type ConnectOptions, type Destination } from "../destination.js";
import type { QueryOptions, QuerySession } from "../query-session.js";
import { type StagingBucket, type StagingName, stagingFromConfig } from "../staging.js";
import { BigQueryClient } from "./client.js";
import { BigQueryConnection, type BigQuerySettings } from "./connection.js";
import { BigQueryQuerySession } from "./query-session.js";
import { BIGQUERY_SPEC } from "./spec.js";

/** `[destination.bigquery.credentials]`, dlt's names. */
export interface BigQueryCredentials {
  project_id?: string | undefined;
  private_key?: string | Secret | undefined;
  client_email?: string | undefined;
}

export interface BigQueryOptions {
  credentials?: BigQueryCredentials;
  /** Where datasets are created and jobs run; default `US`. */
  location?: string;
  /** Another API root (an emulator such as bqemulator): no credentials are sent to it. */
  apiEndpoint?: string;
  /**
   * `staging = "filesystem"`: the load files go to a `gs://` bucket first and one load job per
   * table reads them from there (`stagingFromConfig` in `../staging.ts`). Without it, each file is
   * uploaded in its own load job. Each client stages through a stager of its own.
   */
  staging?: StagingBucket;
}

class BigQueryCapabilities extends CapabilitiesBase {
  // BigQuery column names take up to 300 characters (tables 1024 bytes); the naming shortens by bytes.
  override readonly maxIdentifierLength = 300;
}

export const BIGQUERY_CAPABILITIES: Capabilities = new BigQueryCapabilities();

export class BigQueryDestination implements Destination {
  readonly name = "bigquery";
  readonly capabilities = BIGQUERY_CAPABILITIES;

  constructor(private readonly options: BigQueryOptions = {}) {
    const c = options.credentials ?? {};
    if ((c.private_key === undefined) !== (c.client_email === undefined)) {
      throw new ConfigError("the bigquery credentials need both private_key and client_email (or neither)", {
        hint: "set DESTINATION__BIGQUERY__CREDENTIALS__PRIVATE_KEY and __CLIENT_EMAIL from the service account's key file",
      });
    }
  }

  private settings(): BigQuerySettings {
    const c = this.options.credentials ?? {};
    return {
      projectId: c.project_id,
      privateKey: c.private_key,
      clientEmail: c.client_email,
      location: this.options.location ?? "US",
      apiEndpoint: this.options.apiEndpoint,
    };
  }

  /** `bigquery://<project>/<dataset>` (and the endpoint when it is not Google's). */
  location(o: ConnectOptions): string {
    const project = this.options.credentials?.project_id ?? "(default project)";
    const at = this.options.apiEndpoint ? ` at ${this.options.apiEndpoint}` : "";
    return `bigquery://${project}/${o.datasetName}${at}`;
  }

  /** The SDK client; a test may wrap it (crash tests fail a chosen statement). */
  protected openConnection(): Promise<BigQueryConnection> {
    return BigQueryConnection.open(this.settings());
  }

  async connect(o: ConnectOptions): Promise<BigQueryClient> {
    return new BigQueryClient(o.datasetName, await this.openConnection(), this.options.staging?.stager());
  }

  async openQuerySession(o: QueryOptions): Promise<QuerySession> {
    return new BigQueryQuerySession(o.datasetName, await this.openConnection(), o);
  }
}

export function bigquery(options?: BigQueryOptions): BigQueryDestination {
  return new BigQueryDestination(options);
}

/** Load jobs read staged files from GCS only. */
export const STAGING_SCHEMES = ["gs"] as const;

/** `[destination.bigquery]` (BIGQUERY_SPEC); with `staging: "filesystem"`, `[destination.filesystem]` too. */
export function destinationFromConfig(config: ConfigResolver, options: { staging?: StagingName } = {}): BigQueryDestination {
  const { credentials: c, location, apiEndpoint } = config.resolve(BIGQUERY_SPEC).values;
  return bigquery({
    credentials: { project_id: c?.projectId, private_key: c?.privateKey, client_email: c?.clientEmail },
    location,
    ...(apiEndpoint ? { apiEndpoint } : {}),
    ...(options.staging === "filesystem" ? { staging: stagingFromConfig(config, "bigquery", STAGING_SCHEMES) } : {}),
  });
}
