import { C_ID, C_ROOT_ID } from "../../schema/system-tables.js";
import type { Column, Table } from "../../schema/types.js";
import type { DuckDbConnection } from "../duckdb/connection.js";
import { duckQuote, readJsonSelect } from "../duckdb/read-json.js";
import type { RowFilter } from "./data-files.js";
import { type LocalDataFile, storedSelect } from "./stored-select.js";

/** A stored file of the chain, with a local copy for DuckDB to read. */
export interface StoredFile extends LocalDataFile {
  key: string;
  table: string;
}

export interface MergePlan {
  /** Per table: which rows of the package's files to write (absent: all of them). */
  packageFilters: Map<string, RowFilter>;
  /** Stored files holding rows the merge deletes, with the filter that keeps the others. */
  rewrites: Array<{ file: StoredFile; filter: RowFilter }>;
}

export interface MergeInput {
  duck: DuckDbConnection;
  /** Unique prefix for this chain's temporary tables. */
  temp: string;
  root: Table;
  children: Table[];
  /** Load files of this package, per table. */
  packageFiles: Map<string, string[]>;
  /** Visible stored files, per table. */
  storedFiles: Map<string, StoredFile[]>;
  /** Root `_dlt_id`s a later row with the same key replaces within the package. */
  superseded: string[];
  /** Longest JSON line of the package's files and of the stored jsonl files. */
  maxRowBytes: number;
}

function keyMatch(keys: Column[]): string {
  return keys.map((k) => `s.${duckQuote(k.name)} = d.${duckQuote(k.name)}`).join(" AND ");
}

async function idSet(duck: DuckDbConnection, sql: string): Promise<Set<string>> {
  return new Set((await duck.query(sql)).map((r) => String(r.id)));
}

/**
 * Merge (delete-insert) on files, as the SQL destinations do it: stored root rows whose primary
 * or merge key is in the package are deleted with their child rows (`_dlt_root_id`), the package's
 * rows are added, except those superseded by a later row with the same key and those flagged by a
 * `hardDelete` column. DuckDB finds the rows; the files holding deleted rows are rewritten
 * without them, so only those files change.
 */
export async function planMerge(m: MergeInput): Promise<MergePlan> {
  const { duck, temp, root } = m;
  const cols = Object.values(root.columns);
  const pk = cols.filter((c) => c.primaryKey);
  const mk = cols.filter((c) => c.mergeKey);
  const hard = cols.filter((c) => c.hardDelete);
  const id = root.columns[C_ID]!;
  const pkgCols = [...new Set([...pk, ...mk, ...hard, id])];
  const curCols = [...new Set([...pk, ...mk, id])];
  const q = duckQuote;

  await duck.execute(`CREATE OR REPLACE TEMP TABLE ${temp}_sup (id VARCHAR)`);
  for (let i = 0; i < m.superseded.length; i += 500) {
    const batch = m.superseded.slice(i, i + 500);
    await duck.execute(`INSERT INTO ${temp}_sup VALUES ${batch.map((_, k) => `($${k + 1})`).join(", ")}`, batch);
  }
  const pkgSelect = readJsonSelect(pkgCols, m.packageFiles.get(root.name) ?? [], [], "", m.maxRowBytes);
  await duck.execute(
    `CREATE OR REPLACE TEMP TABLE ${temp}_pkg AS SELECT * FROM (${pkgSelect}) AS src WHERE ${q(C_ID)} NOT IN (SELECT id FROM ${temp}_sup)`,
  );
  const kept = hard
    .map((h) => (h.dataType === "bool" ? `COALESCE(${q(h.name)}, FALSE) = FALSE` : `${q(h.name)} IS NULL`))
    .join(" AND ");
  await duck.execute(
    `CREATE OR REPLACE TEMP TABLE ${temp}_ins AS SELECT ${q(C_ID)} AS id FROM ${temp}_pkg${kept ? ` WHERE ${kept}` : ""}`,
  );

  const storedRoot = m.storedFiles.get(root.name) ?? [];
  const curSelect = await storedSelect(duck, curCols, storedRoot, true, m.maxRowBytes);
  const matched = [pk, mk]
    .filter((k) => k.length > 0)
    .map((k) => `EXISTS (SELECT 1 FROM ${temp}_pkg AS s WHERE ${keyMatch(k)})`)
    .join(" OR ");
  await duck.execute(
    `CREATE OR REPLACE TEMP TABLE ${temp}_del AS SELECT d.${q(C_ID)} AS id, d.filename FROM (${curSelect}) AS d WHERE ${matched}`,
  );

  const plan: MergePlan = { packageFilters: new Map(), rewrites: [] };
  // Package rows: all of them unless some are superseded or hard-deleted.
  if (m.superseded.length > 0 || kept) {
    const ins = await idSet(duck, `SELECT id FROM ${temp}_ins`);
    plan.packageFilters.set(root.name, { column: C_ID, keep: "in", ids: ins, sqlTable: `${temp}_ins` });
    for (const c of m.children)
      plan.packageFilters.set(c.name, { column: C_ROOT_ID, keep: "in", ids: ins, sqlTable: `${temp}_ins` });
  }

  const deleted = await idSet(duck, `SELECT id FROM ${temp}_del`);
  if (deleted.size === 0) return plan;
  const byPath = (files: StoredFile[]) => new Map(files.map((f) => [f.path, f]));
  const rootFiles = byPath(storedRoot);
  const rootFilter: RowFilter = { column: C_ID, keep: "not-in", ids: deleted, sqlTable: `${temp}_del` };
  for (const r of await duck.query(`SELECT DISTINCT filename FROM ${temp}_del`)) {
    const f = rootFiles.get(String(r.filename));
    if (f) plan.rewrites.push({ file: f, filter: rootFilter });
  }
  const childFilter: RowFilter = { column: C_ROOT_ID, keep: "not-in", ids: deleted, sqlTable: `${temp}_del` };
  for (const child of m.children) {
    const stored = m.storedFiles.get(child.name) ?? [];
    if (stored.length === 0) continue;
    const select = await storedSelect(duck, [child.columns[C_ROOT_ID]!], stored, true, m.maxRowBytes);
    const files = byPath(stored);
    const hit = await duck.query(
      `SELECT DISTINCT filename FROM (${select}) AS c WHERE ${q(C_ROOT_ID)} IN (SELECT id FROM ${temp}_del)`,
    );
    for (const r of hit) {
      const f = files.get(String(r.filename));
      if (f) plan.rewrites.push({ file: f, filter: childFilter });
    }
  }
  return plan;
}
