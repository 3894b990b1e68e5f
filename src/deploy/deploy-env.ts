import {
  type AnyField,
  type ConfigResolver,
  type ConfigSpec,
  describeOrigin,
  envName,
  fileOf,
  keyOf,
  type Origin,
} from "../config/index.js";

/** A secret the deployed process needs: its environment variable, never its value. */
export interface DeploySecret {
  /** dlt's spelling (`DESTINATION__POSTGRES__CREDENTIALS__PASSWORD`): the name in the CI's or cluster's secret store. */
  readonly name: string;
  /** Where it is here (`.dlt/secrets.toml:3`), or why it is listed although it is not set here. */
  readonly where: string;
  readonly setHere: boolean;
}

/** A non-secret value set here outside the project's committed `.dlt/config.toml`: deployed as a plain variable. */
export interface DeploySetting {
  readonly name: string;
  readonly value: string;
  readonly where: string;
}

export interface DeployEnv {
  secrets: DeploySecret[];
  settings: DeploySetting[];
}

/** The one config file that travels with the project (committed, copied into the image); everything else stays here. */
const PROJECT_CONFIG = ".dlt/config.toml";

function travels(origin: Origin): boolean {
  return origin.kind === "file" && origin.file === PROJECT_CONFIG;
}

/** A TOML or env value as an environment variable's text (lists as JSON, which the env provider reads). */
function envText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return JSON.stringify(value);
  return undefined;
}

const isTable = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);

/**
 * What a deployed process needs from the environment, derived from the config specs the deployed
 * command resolves (never a second list): every secret-file key (secrets and credentials) that is
 * set here anywhere but the committed `.dlt/config.toml`, by the variable name the resolver finds
 * it at, plus the required ones not set here; and the non-secret values that come from this
 * machine's environment or global files, which the deployed machine would not have.
 */
export function collectDeployEnv(specs: readonly ConfigSpec[], config: ConfigResolver): DeployEnv {
  const secrets = new Map<string, DeploySecret>();
  const settings = new Map<string, DeploySetting>();
  const addSecret = (s: DeploySecret) => {
    if (!secrets.has(s.name)) secrets.set(s.name, s);
  };
  for (const spec of specs) {
    for (const [prop, f] of Object.entries<AnyField>(spec.fields)) {
      const key = keyOf(prop, f);
      const found = config.find(spec.section, key, f.lookup ?? "fallback");
      if (fileOf(f) === "secrets") {
        if (!found) {
          if (f.required === true) {
            addSecret({ name: envName([...spec.section, key]), where: `required, not set here (${f.doc})`, setHere: false });
          }
          continue;
        }
        if (f.kind === "credentials" && isTable(found.value)) {
          // Given field by field (perhaps over several files): each field is its own variable.
          for (const sub of Object.keys(found.value)) {
            const origin = found.originOf([sub]);
            if (!travels(origin))
              addSecret({ name: envName([...found.path, sub]), where: describeOrigin(origin), setHere: true });
          }
          continue;
        }
        if (!travels(found.origin)) addSecret({ name: envName(found.path), where: found.where, setHere: true });
        continue;
      }
      if (!found || travels(found.origin)) continue;
      const text = envText(found.value);
      if (text === undefined) continue;
      const name = envName(found.path);
      if (!settings.has(name)) settings.set(name, { name, value: text, where: found.where });
    }
  }
  return { secrets: [...secrets.values()], settings: [...settings.values()] };
}

/** Add a secret the config does not show but the deployed process needs (e.g. the queue URL of a worker). */
export function withSecret(env: DeployEnv, secret: DeploySecret): DeployEnv {
  if (env.secrets.some((s) => s.name === secret.name)) return env;
  return { ...env, secrets: [...env.secrets, secret] };
}
