import type { ConfigResolver } from "../config/resolver.js";
import { Secret } from "../config/secret.js";
import { ConfigError } from "../util/errors.js";
import type { Destination } from "./destination.js";

/** A destination by name, built from `[destination.<name>]` config; drivers load lazily. */
export type DestinationFactory = (config: ConfigResolver) => Promise<Destination>;

/**
 * A credentials group as dlt resolves it: `[destination.<name>.credentials]` as a whole (a table,
 * an env group, or one string such as a DSN), then field by field where it is split over several
 * providers (e.g. the password in env, the rest in config.toml).
 */
function credentialsGroup(
  config: ConfigResolver,
  destination: string,
  fields: string[],
): string | Record<string, unknown> | undefined {
  const found = config.raw(["destination", destination], "credentials");
  if (found && (typeof found.value === "string" || found.value instanceof Secret))
    return String(found.value instanceof Secret ? found.value.reveal() : found.value);
  const out: Record<string, unknown> = found && typeof found.value === "object" && found.value !== null ? { ...found.value } : {};
  for (const f of fields) {
    if (out[f] !== undefined) continue;
    const v = config.findExact(["destination", destination, "credentials"], f);
    if (v) out[f] = v.value;
  }
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      throw new ConfigError(`[destination.${destination}.credentials] ${k} must be a string`, {
        hint: "check .dlt/secrets.toml and the environment",
      });
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Fields whose values are secrets: wrapped so they never print. */
function secretFields(group: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const out = { ...group };
  for (const n of names) if (typeof out[n] === "string") out[n] = new Secret(out[n]);
  return out;
}

const factories = new Map<string, DestinationFactory>([
  [
    "duckdb",
    async (config) => {
      const { duckdb } = await import("./duckdb/index.js");
      const credentials = config.string(["destination", "duckdb"], "credentials");
      return duckdb(credentials !== undefined ? { credentials } : {});
    },
  ],
  [
    "postgres",
    async (config) => {
      const { postgres } = await import("./postgres/index.js");
      const group = credentialsGroup(config, "postgres", ["host", "port", "username", "password", "database", "sslmode"]);
      // A DSN's password becomes a Secret (registered for scrubbing) when the DSN is parsed.
      if (group === undefined || typeof group === "string") return postgres(group !== undefined ? { credentials: group } : {});
      return postgres({ credentials: secretFields(group, ["password"]) as never });
    },
  ],
  [
    "filesystem",
    async (config) => {
      const { filesystem } = await import("./filesystem/index.js");
      const section = ["destination", "filesystem"];
      const group = credentialsGroup(config, "filesystem", [
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "endpoint_url",
        "region_name",
      ]);
      if (typeof group === "string") {
        throw new ConfigError("[destination.filesystem] credentials must be a table of fields, not one string", {
          hint: "set aws_access_key_id, aws_secret_access_key, endpoint_url and region_name under [destination.filesystem.credentials]",
        });
      }
      const format = config.string(section, "format");
      const compression = config.string(section, "compression");
      return filesystem({
        bucketUrl: config.string(section, "bucket_url") ?? "",
        ...(format !== undefined ? { format: format as "jsonl" | "parquet" } : {}),
        ...(compression !== undefined ? { compression: compression as "gzip" | "none" } : {}),
        ...(group ? { credentials: secretFields(group, ["aws_secret_access_key", "aws_session_token"]) } : {}),
      });
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
