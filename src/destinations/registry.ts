import type { ConfigResolver } from "../config/resolver.js";
import { ConfigError } from "../util/errors.js";
import type { Destination } from "./destination.js";

/** A destination by name, built from `[destination.<name>]` config; drivers load lazily. */
export type DestinationFactory = (config: ConfigResolver) => Promise<Destination>;

const factories = new Map<string, DestinationFactory>([
  [
    "duckdb",
    async (config) => {
      const { duckdb } = await import("./duckdb/index.js");
      const credentials = config.string(["destination", "duckdb"], "credentials");
      return duckdb(credentials !== undefined ? { credentials } : {});
    },
  ],
]);

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
