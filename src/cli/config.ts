import { ConfigResolver, type ConfigSpec } from "../config/index.js";
import { QUERY_SPEC } from "../destinations/query-session.js";
import { destinationSpecs } from "../destinations/registry.js";
import { RUNTIME_SPEC } from "../http/index.js";
import { LOAD_SPEC } from "../package/config.js";
import { NORMALIZE_SPEC, PIPELINE_SPEC } from "../pipeline/config.js";
import { MODELS_SPEC } from "../models/config.js";
import { SAGE_SPEC } from "../sage/options.js";
import { SAGE_ONE_ZA_SPEC } from "../sageone-za/settings.js";
import { WORKER_SPEC } from "../runtime/config.js";
import { type LogLevel, setLogLevel } from "../util/logger.js";

/**
 * Every spec the CLI knows, in the order `init`'s templates and the README's tables list them.
 * A component that declares keys adds its spec here once; the templates, the README tables, the
 * drift test and the up-front unknown-key warnings follow. Each destination's spec comes from its
 * line in the destination registry.
 */
export const CONFIG_SPECS: readonly ConfigSpec[] = [
  PIPELINE_SPEC,
  SAGE_SPEC,
  SAGE_ONE_ZA_SPEC,
  WORKER_SPEC,
  NORMALIZE_SPEC,
  LOAD_SPEC,
  QUERY_SPEC,
  MODELS_SPEC,
  ...destinationSpecs(),
];

const LEVELS: Record<string, LogLevel> = {
  debug: "debug",
  info: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  critical: "error",
};

/**
 * The CLI's config: env, `./.dlt/` and the data dir's TOML files. It warns at once about unknown
 * keys in every known section (before any progress display starts) and applies
 * `[runtime] log_level` unless `--log-level` or `--verbose` said otherwise.
 */
export function cliConfig(argv: readonly string[] = process.argv): ConfigResolver {
  const config = ConfigResolver.fromCwd();
  for (const spec of CONFIG_SPECS) config.checkUnknownKeys(spec);
  const runtime = config.resolve(RUNTIME_SPEC);
  const flagged = argv.some((a) => a === "-v" || a === "--verbose" || a.startsWith("--log-level"));
  if (!flagged && runtime.origin("logLevel").kind !== "default") setLogLevel(LEVELS[runtime.values.logLevel] ?? "warn");
  return config;
}
