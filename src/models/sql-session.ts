import type { DestinationClient, ResultRow } from "../destinations/index.js";
import { SqlJobClient } from "../destinations/index.js";
import { ConfigError } from "../util/errors.js";
import type { ModelDialect } from "./definitions.js";

/** What a model run needs from the destination: SQL in one transaction on the dataset. */
export interface ModelSession {
  readonly dialect: ModelDialect;
  execute(sql: string): Promise<void>;
  query(sql: string): Promise<ResultRow[]>;
}

const DIALECTS: ReadonlySet<string> = new Set<ModelDialect>(["duckdb", "postgres"]);

/**
 * The one place the models touch the destination seam: a SQL destination's transaction (which
 * also holds the dataset's load lock). Other destinations cannot host models.
 */
export async function inModelTransaction<T>(
  client: DestinationClient,
  destinationName: string,
  fn: (session: ModelSession) => Promise<T>,
): Promise<T> {
  if (!(client instanceof SqlJobClient)) {
    throw new ConfigError(`the accounting models need a SQL destination; ${destinationName} is not one`, {
      hint: "load into duckdb or postgres to build the models",
    });
  }
  return client.transaction(async (conn, dialect) => {
    if (!DIALECTS.has(dialect.name)) {
      throw new ConfigError(`the accounting models have no SQL for ${dialect.name} yet`, {
        hint: "models run on duckdb and postgres",
      });
    }
    return fn({
      dialect: dialect.name as ModelDialect,
      execute: (sql) => conn.execute(sql),
      query: (sql) => conn.query(sql),
    });
  });
}
