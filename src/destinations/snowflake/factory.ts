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
import type { QueryOptions, QuerySession } from "../query-session.js";
import { SnowflakeClient } from "./client.js";
import { SNOWFLAKE_SESSION_SETUP, SnowflakeConnection, type SnowflakeEndpoint } from "./connection.js";
import { type SnowflakeCredentials, snowflakeTarget } from "./credentials.js";
import { quoteSnowflake, snowflakeDialect } from "./dialect.js";
import { SnowflakeQuerySession } from "./query-session.js";
import { SNOWFLAKE_SPEC } from "./spec.js";

export interface SnowflakeOptions {
  /** `snowflake://user:password@account/database?warehouse=...&role=...`, or the fields. */
  credentials?: string | Secret | SnowflakeCredentials;
  /** A named stage for the load files (default: `_dlt_stage`, made in the dataset). */
  stageName?: string;
  /** Keep the load files on the stage after the commit. */
  keepStagedFiles?: boolean;
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
    return new SnowflakeClient(o.datasetName, conn, snowflakeDialect(stageName), {
      name: stageName,
      create: this.options.stageName === undefined,
      keep: this.options.keepStagedFiles,
    });
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

/** `[destination.snowflake]` (SNOWFLAKE_SPEC). */
export function destinationFromConfig(config: ConfigResolver): SnowflakeDestination {
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
  return new SnowflakeDestination({
    ...(credentials !== undefined ? { credentials } : {}),
    ...(stageName ? { stageName } : {}),
    keepStagedFiles,
  });
}
