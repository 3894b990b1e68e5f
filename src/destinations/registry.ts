import type { ConfigResolver } from "../config/resolver.js";
import type { ConfigSpec } from "../config/spec.js";
import { ConfigError } from "../util/errors.js";
import type { Destination, DestinationModule } from "./destination.js";
import { DUCKDB_SPEC } from "./duckdb/spec.js";
import { FILESYSTEM_SPEC } from "./filesystem/spec.js";
import { POSTGRES_SPEC } from "./postgres/spec.js";
import { REDSHIFT_SPEC } from "./redshift/spec.js";
import { BIGQUERY_SPEC } from "./bigquery/spec.js";
import { SNOWFLAKE_SPEC } from "./snowflake/spec.js";
import { DATABRICKS_SPEC } from "./databricks/spec.js";

/** A destination by name, built from `[destination.<name>]` config (and the staging bucket's, when asked). */
export type DestinationFactory = (config: ConfigResolver, options?: { staging?: "filesystem" }) => Promise<Destination>;

/**
 * One line per destination: its name, its config spec (a light file: `init`'s templates, the
 * README tables and the unknown-key warnings take it from here) and its folder, imported when
 * the destination is asked for (so its driver loads only then).
 */
const modules: ReadonlyArray<[string, ConfigSpec, () => Promise<DestinationModule>]> = [
  ["duckdb", DUCKDB_SPEC, () => import("./duckdb/index.js")],
  ["postgres", POSTGRES_SPEC, () => import("./postgres/index.js")],
  ["filesystem", FILESYSTEM_SPEC, () => import("./filesystem/index.js")],
  ["redshift", REDSHIFT_SPEC, () => import("./redshift/index.js")],
  ["bigquery", BIGQUERY_SPEC, () => import("./bigquery/index.js")],
  ["snowflake", SNOWFLAKE_SPEC, () => import("./snowflake/index.js")],
  ["databricks", DATABRICKS_SPEC, () => import("./databricks/index.js")],
];

const factories = new Map<string, DestinationFactory>(
  modules.map(([name, , load]) => [
    name,
    async (config, options) => {
      const m = await load();
      if (options?.staging && !m.STAGING_SCHEMES) {
        throw new ConfigError(`destination ${name} does not load from a staging bucket`, {
          hint: "remove staging (PIPELINE__STAGING / [pipeline] staging) or pick a warehouse that takes it",
        });
      }
      return m.destinationFromConfig(config, options?.staging ? { staging: options.staging } : {});
    },
  ]),
);
const specs = new Map<string, ConfigSpec>(modules.map(([name, spec]) => [name, spec]));

/** Add a destination (e.g. from a plugin package): `registerDestination("motherduck", factory, MOTHERDUCK_SPEC)`. */
export function registerDestination(name: string, factory: DestinationFactory, spec?: ConfigSpec): void {
  factories.set(name, factory);
  if (spec) specs.set(name, spec);
}

/** The config spec of every registered destination, in registration order. */
export function destinationSpecs(): ConfigSpec[] {
  return [...specs.values()];
}

export function destinationNames(): string[] {
  return [...factories.keys()];
}

export async function resolveDestination(
  name: string,
  config: ConfigResolver,
  options?: { staging?: "filesystem" },
): Promise<Destination> {
  const f = factories.get(name);
  if (!f) {
    throw new ConfigError(`unknown destination ${JSON.stringify(name)}`, {
      hint: `use one of: ${destinationNames().join(", ")}`,
    });
  }
  return f(config, options);
}
