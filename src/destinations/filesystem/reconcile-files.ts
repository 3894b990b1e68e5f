import type { Schema } from "../../schema/schema.js";
import { C_ID, C_ROOT_ID } from "../../schema/system-tables.js";
import type { Column } from "../../schema/types.js";
import type { ReconcileJob, ReconcileResult } from "../destination.js";
import type { DuckDbConnection } from "../duckdb/connection.js";
import { duckLiteral, duckQuote } from "../duckdb/read-json.js";
import type { DataFileWriter, RowFilter } from "./data-files.js";
import type { StoredFile } from "./merge-plan.js";
import { storedSelect } from "./stored-select.js";

export interface ReconcileFilesInput {
  duck: DuckDbConnection;
  writer: DataFileWriter;
  schema: Schema;
  job: ReconcileJob;
  /** Unique prefix for this key set's temporary tables. */
  temp: string;
  /** The files of a table as they stand after this load's rows went in (stored ones and this load's own). */
  filesOf: (table: string) => Promise<StoredFile[]>;
  /** A fresh local path for a rewritten file. */
  scratch: (format: string) => string;
  maxRowBytes: number;
}

/** A file the key set changed: `out` is its new content (absent: no row is left). */
export interface FileRewrite {
  file: StoredFile;
  out?: string;
}

async function idTable(duck: DuckDbConnection, name: string, ids: string[]): Promise<void> {
  await duck.execute(`CREATE OR REPLACE TEMP TABLE ${name} (id VARCHAR)`);
  for (let i = 0; i < ids.length; i += 500) {
    const batch = ids.slice(i, i + 500);
    await duck.execute(`INSERT INTO ${name} VALUES ${batch.map((_, k) => `($${k + 1})`).join(", ")}`, batch);
  }
}

/**
 * One key set on files, as `sql/reconcile.ts` does it in a database: the root rows of the part
 * whose key is not listed are removed (with their child rows) for a hard deletion or a replace,
 * else marked; DuckDB finds them, and only the files holding them are rewritten. Returns the
 * counts and the rewrites; the client uploads them and lists the old files as replaced.
 */
export async function reconcileFiles(x: ReconcileFilesInput): Promise<{ result: ReconcileResult; rewrites: FileRewrite[] }> {
  const { duck, job, temp } = x;
  const q = duckQuote;
  const result: ReconcileResult = {
    resource: job.resource,
    table: job.table,
    partition: job.partition,
    ...(job.label !== undefined ? { label: job.label } : {}),
    ...(job.total !== undefined ? { total: job.total } : {}),
    listed: job.count,
    removed: 0,
    marked: 0,
    live: 0,
    mode: job.mode,
  };
  const root = x.schema.get(job.table);
  const key = root?.columns[job.keyColumn];
  const rootFiles = root ? await x.filesOf(root.name) : [];
  if (!root || !key || rootFiles.length === 0) return { result, rewrites: [] };
  const mark = root.columns[job.deletion.column];
  const partCols = Object.keys(job.partition).flatMap((c) => (root.columns[c] ? [root.columns[c]] : []));
  const cols = [...new Set<Column>([root.columns[C_ID]!, key, ...partCols, ...(mark ? [mark] : [])])];
  const select = await storedSelect(duck, cols, rootFiles, true, x.maxRowBytes);
  const inPart =
    Object.entries(job.partition)
      .map(([c, v]) => `${q(c)} = ${duckLiteral(v)}`)
      .join(" AND ") || "TRUE";
  const live = !mark ? "TRUE" : mark.dataType === "bool" ? `COALESCE(${q(mark.name)}, FALSE) = FALSE` : `${q(mark.name)} IS NULL`;
  const remove = job.mode === "replace" || job.deletion.hard || !mark;

  await idTable(duck, `${temp}_keys`, job.keys);
  const gone = `${inPart} AND CAST(${q(key.name)} AS VARCHAR) NOT IN (SELECT id FROM ${temp}_keys)${remove ? "" : ` AND ${live}`}`;
  await duck.execute(
    `CREATE OR REPLACE TEMP TABLE ${temp}_gone AS SELECT ${q(C_ID)} AS id, filename FROM (${select}) AS d WHERE ${gone}`,
  );
  const goneIds = new Set((await duck.query(`SELECT id FROM ${temp}_gone`)).map((r) => String(r.id)));
  const liveRows = await duck.query(
    `SELECT COUNT(*) AS n FROM (${select}) AS d WHERE ${inPart} AND ${live} AND ${q(C_ID)} NOT IN (SELECT id FROM ${temp}_gone)`,
  );
  result.live = Number(liveRows[0]?.n ?? 0);
  if (remove) result.removed = goneIds.size;
  else result.marked = goneIds.size;
  if (goneIds.size === 0) return { result, rewrites: [] };

  const rewrites: FileRewrite[] = [];
  const byPath = new Map(rootFiles.map((f) => [f.path, f]));
  const hit = (await duck.query(`SELECT DISTINCT filename FROM ${temp}_gone`)).flatMap(
    (r) => byPath.get(String(r.filename)) ?? [],
  );
  const rootFilter: RowFilter = { column: C_ID, keep: "not-in", ids: goneIds, sqlTable: `${temp}_gone` };
  for (const file of hit) {
    const out = x.scratch(file.format);
    if (remove) rewrites.push({ file, ...((await x.writer.rewrite(file.path, file.format, out, rootFilter)) ? { out } : {}) });
    else {
      await x.writer.mark(file.path, file.format, out, {
        filter: { ...rootFilter, keep: "in" },
        column: mark,
        value: mark.dataType === "bool" ? true : job.deletion.at,
      });
      rewrites.push({ file, out });
    }
  }
  if (!remove) return { result, rewrites };
  const childFilter: RowFilter = { column: C_ROOT_ID, keep: "not-in", ids: goneIds, sqlTable: `${temp}_gone` };
  for (const child of x.schema.descendants(root.name)) {
    const stored = await x.filesOf(child.name);
    if (stored.length === 0) continue;
    const childSelect = await storedSelect(duck, [child.columns[C_ROOT_ID]!], stored, true, x.maxRowBytes);
    const files = new Map(stored.map((f) => [f.path, f]));
    const rows = await duck.query(
      `SELECT DISTINCT filename FROM (${childSelect}) AS c WHERE ${q(C_ROOT_ID)} IN (SELECT id FROM ${temp}_gone)`,
    );
    for (const r of rows) {
      const file = files.get(String(r.filename));
      if (!file) continue;
      const out = x.scratch(file.format);
      rewrites.push({ file, ...((await x.writer.rewrite(file.path, file.format, out, childFilter)) ? { out } : {}) });
    }
  }
  return { result, rewrites };
}
