import { envName } from "./providers.js";
import { type AnyField, type ConfigSpec, keyOf } from "./spec.js";
import { defaultText, exampleText, typeText } from "./spec-text.js";

/** Which file a field belongs in: secrets and credentials go to secrets.toml unless told otherwise. */
export function fileOf(f: AnyField): "config" | "secrets" {
  return f.file ?? (f.kind === "secret" || f.kind === "credentials" ? "secrets" : "config");
}

function templateLines(prop: string, f: AnyField, section: readonly string[]): string[] {
  const key = keyOf(prop, f);
  if (f.kind === "credentials") {
    const lines = [`# ${key} = ${f.parse ? '"<connection string>"' : "{ ... }"}   # ${f.doc}`];
    if (f.fields) {
      lines.push(`# or as a table: [${[...section, key].join(".")}]`);
      for (const [p, sub] of Object.entries(f.fields)) {
        if (!sub.hidden) lines.push(`#   ${keyOf(p, sub)} = ${exampleText(sub)}   # ${sub.doc}`);
      }
    }
    return lines;
  }
  return [`# ${key} = ${exampleText(f)}   # ${f.doc}`];
}

/**
 * `init`'s `.dlt/config.toml` or `.dlt/secrets.toml`: every spec's section with its keys
 * commented out at their example (or default) value, one line of doc each.
 */
export function renderTomlTemplate(specs: readonly ConfigSpec[], file: "config" | "secrets"): string {
  const out: string[] =
    file === "config"
      ? [
          "# sage-pipeline configuration (not secret). Uncomment a key to set it; environment variables win over",
          "# this file: [sources.sage_accounting_source] items_per_page -> SOURCES__SAGE_ACCOUNTING_SOURCE__ITEMS_PER_PAGE.",
          "# Secrets go to secrets.toml. Every key is listed in the README (Configuration).",
        ]
      : [
          "# sage-pipeline secrets. Keep this file out of version control (sage-pipeline init added it to .gitignore).",
          "# Uncomment and fill in what you use; environment variables win over this file.",
        ];
  for (const spec of specs) {
    const entries = Object.entries(spec.fields).filter(([, f]) => !f.hidden && fileOf(f) === file);
    if (entries.length === 0) continue;
    out.push("", spec.label);
    for (const [prop, f] of entries) out.push(...templateLines(prop, f, spec.section));
  }
  return `${out.join("\n")}\n`;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The README's configuration tables: one per spec, every key (also those init leaves out). */
export function renderConfigTables(specs: readonly ConfigSpec[]): string {
  const out: string[] = [];
  for (const spec of specs) {
    const first = Object.entries(spec.fields)[0];
    const example = first ? envName([...spec.section, keyOf(first[0], first[1])]) : envName(spec.section);
    out.push(`#### \`${spec.label}\` — ${spec.title} (env \`${example}\`, ...)`, "");
    out.push("| key | type | default | meaning |", "| --- | --- | --- | --- |");
    for (const [prop, f] of Object.entries(spec.fields)) {
      const key = keyOf(prop, f);
      const where = fileOf(f) === "secrets" ? " (secrets.toml)" : "";
      const required = f.required === true ? " Required." : "";
      out.push(`| \`${key}\` | ${cell(typeText(f))} | ${cell(defaultText(f))} | ${cell(f.doc)}${where}${required} |`);
      if (f.kind === "credentials" && f.fields) {
        for (const [p, sub] of Object.entries(f.fields)) {
          out.push(`| \`${key}.${keyOf(p, sub)}\` | ${cell(typeText(sub))} | ${cell(defaultText(sub))} | ${cell(sub.doc)} |`);
        }
      }
    }
    out.push("");
  }
  return out.join("\n").trimEnd();
}

export const CONFIG_TABLES_START = "<!-- config-tables:start (generated from the config specs: npm run docs:config) -->";
export const CONFIG_TABLES_END = "<!-- config-tables:end -->";

/** `text` with the part between the markers replaced by `tables`; throws if the markers are missing. */
export function replaceConfigTables(text: string, tables: string): string {
  const start = text.indexOf(CONFIG_TABLES_START);
  const end = text.indexOf(CONFIG_TABLES_END);
  if (start < 0 || end < start) throw new Error(`the README has no ${CONFIG_TABLES_START} ... ${CONFIG_TABLES_END} markers`);
  return `${text.slice(0, start + CONFIG_TABLES_START.length)}\n\n${tables}\n\n${text.slice(end)}`;
}
