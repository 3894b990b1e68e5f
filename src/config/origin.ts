/**
 * Where a resolved config value came from. Every error and warning about a value names it, so
 * the user knows which file line or environment variable to change.
 */
export type Origin =
  | { readonly kind: "code" }
  | { readonly kind: "default" }
  | { readonly kind: "env"; readonly variable: string }
  | {
      readonly kind: "file";
      /** The file as the user knows it (`.dlt/config.toml`, `~/.sage-pipeline/secrets.toml`). */
      readonly file: string;
      /** 1-based line of the key (or of the table header that holds it); undefined if not found. */
      readonly line: number | undefined;
      /** The key path inside the file (`sources.sage_accounting_source.items_per_page`). */
      readonly path: readonly string[];
    }
  | { readonly kind: "provider"; readonly provider: string; readonly path: readonly string[] };

export const CODE: Origin = Object.freeze({ kind: "code" });
export const DEFAULT: Origin = Object.freeze({ kind: "default" });

/** `environment variable SOURCES__X__Y`, `.dlt/config.toml:12`, `the option passed in code`, `the default`. */
export function describeOrigin(o: Origin): string {
  switch (o.kind) {
    case "code":
      return "the option passed in code";
    case "default":
      return "the default";
    case "env":
      return `environment variable ${o.variable}`;
    case "file":
      return o.line !== undefined ? `${o.file}:${o.line}` : `${o.file} (${o.path.join(".")})`;
    case "provider":
      return `${o.provider} (${o.path.join(".")})`;
  }
}

/** Whether a value was set somewhere (rather than taken from the spec's default or left unset). */
export function isSet(o: Origin | undefined): boolean {
  return o !== undefined && o.kind !== "default";
}
