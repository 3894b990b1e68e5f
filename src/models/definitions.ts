import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../util/errors.js";

/** Dialects with their own folder of model SQL; anything else reads `common/` only. */
export type ModelDialect = "duckdb" | "postgres";

export interface ModelColumn {
  name: string;
  description: string;
}

/** One model: a SQL file whose header comment says what it is, what it reads and how it is built. */
export interface ModelDefinition {
  name: string;
  description: string;
  /** Models this one selects from (built before it). */
  dependsOn: string[];
  /** Loaded tables it needs; a run checks they exist and says which are missing. */
  reads: string[];
  materialization: "table" | "incremental";
  uniqueKey?: string;
  columns: ModelColumn[];
  /** The model's SELECT. */
  select: string;
  /** Incremental models: statements that fold the changed keys into the table. */
  incremental: string[];
  /** Incremental models: a SELECT of the keys whose rows changed since the last run. */
  changedKeys?: string;
  /** The file it came from, for messages. */
  file: string;
}

/** A data test: a SELECT returning one row per failure (business_id, period, difference, detail). */
export interface DataTestDefinition {
  name: string;
  description: string;
  dependsOn: string[];
  select: string;
  file: string;
}

/** `models/` of the package: next to `dist/` and `src/` alike. */
export const MODELS_DIR = fileURLToPath(new URL("../../models/", import.meta.url));

interface Parsed {
  header: Map<string, string>;
  columns: ModelColumn[];
  sections: Map<string, string>;
}

/** Header lines `-- key: value`, an indented `--   column: text` list after `-- columns:`, then SQL sections. */
function parse(file: string): Parsed {
  const text = readFileSync(file, "utf8");
  const lines = text.split(/\r?\n/);
  const header = new Map<string, string>();
  const columns: ModelColumn[] = [];
  let i = 0;
  let inColumns = false;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const column = /^--\s{2,}([a-z_][a-z0-9_]*):\s*(.*)$/.exec(line);
    if (inColumns && column) {
      columns.push({ name: column[1]!, description: column[2]!.trim() });
      continue;
    }
    const kv = /^--\s*([a-z_]+):\s*(.*)$/.exec(line);
    if (!kv) break;
    inColumns = kv[1] === "columns";
    if (!inColumns) header.set(kv[1]!, kv[2]!.trim());
  }
  const sections = new Map<string, string>();
  let name = "select";
  let body: string[] = [];
  const flush = () => sections.set(name, body.join("\n").trim());
  for (; i < lines.length; i++) {
    const marker = /^--\s*@([a-z_]+)\s*$/.exec(lines[i]!);
    if (marker) {
      flush();
      name = marker[1]!;
      body = [];
    } else body.push(lines[i]!);
  }
  flush();
  return { header, columns, sections };
}

function list(value: string | undefined): string[] {
  if (!value || value === "(none)") return [];
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Statements of a section, split at semicolons that end a line (model SQL keeps them there). */
export function statements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter(Boolean);
}

function bad(file: string, what: string): ConfigError {
  return new ConfigError(`model file ${file}: ${what}`, { hint: "see DEVELOPERS.md, Models: the header of a model file" });
}

export function readModel(file: string): ModelDefinition {
  const { header, columns, sections } = parse(file);
  const name = header.get("model");
  if (!name) throw bad(file, "no `-- model: <name>` header line");
  const materialization = header.get("materialization") ?? "table";
  if (materialization !== "table" && materialization !== "incremental") {
    throw bad(file, `materialization must be table or incremental, got ${materialization}`);
  }
  const select = sections.get("select") ?? "";
  if (!select) throw bad(file, "no SELECT after the header");
  if (columns.length === 0) throw bad(file, "no `-- columns:` list (models list shows it)");
  const def: ModelDefinition = {
    name,
    description: header.get("description") ?? "",
    dependsOn: list(header.get("depends_on")),
    reads: list(header.get("reads")),
    materialization,
    columns,
    select,
    incremental: statements(sections.get("incremental") ?? ""),
    file,
  };
  const key = header.get("unique_key");
  if (key) def.uniqueKey = key;
  const changed = sections.get("changed_keys");
  if (changed) def.changedKeys = changed;
  if (materialization === "incremental" && (def.incremental.length === 0 || !def.changedKeys)) {
    throw bad(file, "an incremental model needs an `-- @incremental` and a `-- @changed_keys` section");
  }
  return def;
}

export function readDataTest(file: string): DataTestDefinition {
  const { header, sections } = parse(file);
  const name = header.get("test");
  if (!name) throw bad(file, "no `-- test: <name>` header line");
  const select = sections.get("select") ?? "";
  if (!select) throw bad(file, "no SELECT after the header");
  return { name, description: header.get("description") ?? "", dependsOn: list(header.get("depends_on")), select, file };
}

/** `<name>.sql` files of a folder, by name. */
function sqlFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) if (f.endsWith(".sql")) out.set(f.slice(0, -4), join(dir, f));
  return out;
}

/**
 * The models for a dialect in build order: `<dialect>/<name>.sql` where it exists, else
 * `common/<name>.sql`. Dependencies come first; a cycle or an unknown dependency is an error.
 */
export function loadModels(dialect: ModelDialect | undefined, dir = MODELS_DIR): ModelDefinition[] {
  const files = sqlFiles(join(dir, "common"));
  if (dialect) for (const [name, file] of sqlFiles(join(dir, dialect))) files.set(name, file);
  const byName = new Map<string, ModelDefinition>();
  for (const [stem, file] of files) {
    const def = readModel(file);
    if (def.name !== stem) throw bad(file, `names model ${def.name}; the file must be called ${def.name}.sql`);
    byName.set(def.name, def);
  }
  const ordered: ModelDefinition[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (def: ModelDefinition, path: string[]) => {
    if (state.get(def.name) === "done") return;
    if (state.get(def.name) === "visiting") throw bad(def.file, `dependency cycle: ${[...path, def.name].join(" -> ")}`);
    state.set(def.name, "visiting");
    for (const dep of def.dependsOn) {
      const d = byName.get(dep);
      if (!d) throw bad(def.file, `depends on ${dep}, which is not a model`);
      visit(d, [...path, def.name]);
    }
    state.set(def.name, "done");
    ordered.push(def);
  };
  for (const def of byName.values()) visit(def, []);
  return ordered;
}

export function loadDataTests(dialect: ModelDialect | undefined, dir = MODELS_DIR): DataTestDefinition[] {
  const files = sqlFiles(join(dir, "tests"));
  if (dialect) for (const [name, file] of sqlFiles(join(dir, "tests", dialect))) files.set(name, file);
  return [...files.values()].map(readDataTest);
}
