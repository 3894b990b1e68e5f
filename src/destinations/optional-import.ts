import { ConfigError } from "../util/errors.js";

function isMissing(err: unknown, specifier: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = e?.code;
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    typeof e?.message === "string" &&
    e.message.includes(specifier)
  );
}

/**
 * Import a driver that is an optional peer dependency (a warehouse SDK): when it is not installed,
 * a ConfigError (exit 2) says which package to install, instead of Node's module-not-found trace.
 * `await importOptional<typeof import("snowflake-sdk")>("snowflake-sdk", "destination snowflake")`.
 * CommonJS modules arrive as `default` under ESM; that is the caller's to unwrap.
 */
export async function importOptional<T>(specifier: string, neededBy: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (err) {
    if (!isMissing(err, specifier)) throw err;
    throw new ConfigError(`${neededBy} needs the package ${specifier}, which is not installed`, {
      cause: err,
      hint: `npm install ${specifier}`,
    });
  }
}
