import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Capabilities, ConnectOptions, Destination, DestinationClient } from "../destination.js";
import { SqlJobClient } from "../sql/job-client.js";
import { DuckDbConnection } from "./connection.js";
import { duckdbDialect } from "./dialect.js";

export interface DuckDbOptions {
  /** Path of the database file; default `<pipeline_name>.duckdb` in the current directory. */
  credentials?: string;
}

export const DUCKDB_CAPABILITIES: Capabilities = {
  maxIdentifierLength: 65536,
  loaderFileFormat: "jsonl",
};

export class DuckDbDestination implements Destination {
  readonly name = "duckdb";
  readonly capabilities = DUCKDB_CAPABILITIES;

  constructor(private readonly options: DuckDbOptions = {}) {}

  path(o: ConnectOptions): string {
    const p = this.options.credentials;
    if (p === ":memory:") return p;
    return resolve(p ?? `${o.pipelineName}.duckdb`);
  }

  location(o: ConnectOptions): string {
    return `duckdb:${this.path(o)}`;
  }

  async connect(o: ConnectOptions): Promise<DestinationClient> {
    const path = this.path(o);
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const conn = await DuckDbConnection.open(path);
    await conn.execute(`CREATE SCHEMA IF NOT EXISTS ${duckdbDialect.quote(o.datasetName)}`);
    await conn.execute(`SET schema = ${duckdbDialect.literal(o.datasetName)}`);
    return new SqlJobClient(o.datasetName, conn, duckdbDialect);
  }
}

export function duckdb(options?: DuckDbOptions): DuckDbDestination {
  return new DuckDbDestination(options);
}
