import type { ConfigResolver } from "../config/resolver.js";
import { ConfigError } from "../util/errors.js";
import type { Destination, DestinationModule } from "./destination.js";

/** A destination by name, built from `[destination.<name>]` config (and the staging bucket's, when asked). */
export type DestinationFactory = (config: ConfigResolver, options?: { staging?: "filesystem" }) => Promise<Destination>;

/** Each destination's folder, imported when the destination is asked for. One line per destination. */
const modules: ReadonlyArray<[string, () => Promise<DestinationModule>]> = [
  ["duckdb", () => import("./duckdb/index.js")],
  ["postgres", () => import("./postgres/index.js")],
  ["filesystem", () => import("./filesystem/index.js")],
  ["bigquery", () => import("./bigquery/index.js")],
];

const factories = new Map<string, DestinationFactory>(
  modules.map(([name, load]) => [
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

/** Add a destination (e.g. from a plugin package): `registerDestination("motherduck", factory)`. */
export function registerDestination(name: string, factory: DestinationFactory): void {
  factories.set(name, factory);
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
