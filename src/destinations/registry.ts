import type { ConfigResolver } from "../config/resolver.js";
import { ConfigError } from "../util/errors.js";
import type { Destination, DestinationModule } from "./destination.js";

/** A destination by name, built from `[destination.<name>]` config. */
export type DestinationFactory = (config: ConfigResolver) => Promise<Destination>;

/** Each destination's folder, imported when the destination is asked for. One line per destination. */
const modules: ReadonlyArray<[string, () => Promise<DestinationModule>]> = [
  ["duckdb", () => import("./duckdb/index.js")],
  ["postgres", () => import("./postgres/index.js")],
  ["filesystem", () => import("./filesystem/index.js")],
  ["bigquery", () => import("./bigquery/index.js")],
];

const factories = new Map<string, DestinationFactory>(
  modules.map(([name, load]) => [name, async (config) => (await load()).destinationFromConfig(config)]),
);

/** Add a destination (e.g. from a plugin package): `registerDestination("motherduck", factory)`. */
export function registerDestination(name: string, factory: DestinationFactory): void {
  factories.set(name, factory);
}

export function destinationNames(): string[] {
  return [...factories.keys()];
}

export async function resolveDestination(name: string, config: ConfigResolver): Promise<Destination> {
  const f = factories.get(name);
  if (!f) {
    throw new ConfigError(`unknown destination ${JSON.stringify(name)}`, {
      hint: `use one of: ${destinationNames().join(", ")}`,
    });
  }
  return f(config);
}
