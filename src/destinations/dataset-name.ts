import { ConfigError } from "../util/errors.js";

/**
 * Refuse a dataset name that the engine keeps for itself. It would not load (DuckDB: `system` and
 * `temp` are catalogs, so `system.t` is an "Ambiguous reference"; `information_schema` and
 * `pg_catalog` take no tables) or, worse, would put the data among the engine's own tables
 * (Postgres lets a superuser create tables in `information_schema`).
 */
export interface ReservedSchemas {
  names: readonly string[];
  /** Every name with this prefix is the engine's (Postgres: `pg_`). */
  prefix?: string;
  /** The engine compares these names without case (DuckDB; Snowflake folds unquoted names). */
  ignoreCase: boolean;
}

export function refuseReservedDataset(engine: string, datasetName: string, reserved: ReservedSchemas): void {
  const name = reserved.ignoreCase ? datasetName.toLowerCase() : datasetName;
  const hit = reserved.names.includes(name) || (reserved.prefix !== undefined && name.startsWith(reserved.prefix));
  if (!hit) return;
  const kept = [...reserved.names, ...(reserved.prefix ? [`${reserved.prefix}…`] : [])].join(", ");
  throw new ConfigError(`dataset name ${JSON.stringify(datasetName)} is one ${engine} keeps for itself (${kept})`, {
    hint: "pick another dataset_name (`[pipeline] dataset_name`, --dataset or pipeline({ datasetName }))",
  });
}
