import { copyFileSync, createReadStream, createWriteStream, rmSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { Column } from "../../schema/types.js";
import { lineBlocks } from "../line-blocks.js";
import type { DuckDbConnection } from "../duckdb/connection.js";
import { duckColumnType, duckLiteral, duckQuote, readJsonSelect } from "../duckdb/read-json.js";
import type { DataFormat } from "./layout.js";

/** Which rows of a file to keep: those whose `column` is (or is not) one of `ids`. */
export interface RowFilter {
  column: string;
  keep: "in" | "not-in";
  ids: Set<string>;
  /** A DuckDB temporary table `(id VARCHAR)` with the same ids, for parquet files. */
  sqlTable: string;
}

/** Copy JSON lines from `input` to `out`, keeping those that pass `filter`; returns the rows kept. */
async function filterJsonLines(input: string, inputGz: boolean, out: string, outGz: boolean, filter: RowFilter): Promise<number> {
  let kept = 0;
  const keepIn = filter.keep === "in";
  async function* blocks() {
    for await (const block of lineBlocks(input, { gzip: inputGz })) {
      const keep: string[] = [];
      for (const line of block.split("\n")) {
        if (line.length === 0) continue;
        const v = (JSON.parse(line) as Record<string, unknown>)[filter.column];
        if ((typeof v === "string" && filter.ids.has(v)) === keepIn) keep.push(line);
      }
      kept += keep.length;
      if (keep.length > 0) yield `${keep.join("\n")}\n`;
    }
  }
  const source = Readable.from(blocks(), { objectMode: false });
  if (outGz) await pipeline(source, createGzip(), createWriteStream(out));
  else await pipeline(source, createWriteStream(out));
  if (kept === 0) rmSync(out, { force: true });
  return kept;
}

/** Set `column` to `value` in the rows whose `_dlt_id` (or `filter.column`) is in `filter.ids`. */
export interface RowMark {
  filter: RowFilter;
  column: Column;
  value: string | boolean;
}

/**
 * Copy JSON lines, setting the mark in the rows it picks. Only those lines are parsed and written
 * again: load files are `JSON.stringify` output (numbers a double holds, big ones as text), so
 * the round trip keeps every value; the other lines are copied as they are.
 */
async function markJsonLines(input: string, gz: boolean, out: string, mark: RowMark): Promise<number> {
  let marked = 0;
  async function* blocks() {
    for await (const block of lineBlocks(input, { gzip: gz })) {
      const lines: string[] = [];
      for (const line of block.split("\n")) {
        if (line.length === 0) continue;
        const row = JSON.parse(line) as Record<string, unknown>;
        const v = row[mark.filter.column];
        if (typeof v === "string" && mark.filter.ids.has(v)) {
          row[mark.column.name] = mark.value;
          lines.push(JSON.stringify(row));
          marked++;
        } else lines.push(line);
      }
      if (lines.length > 0) yield `${lines.join("\n")}\n`;
    }
  }
  const source = Readable.from(blocks(), { objectMode: false });
  if (gz) await pipeline(source, createGzip(), createWriteStream(out));
  else await pipeline(source, createWriteStream(out));
  return marked;
}

function whereSql(filter: RowFilter | undefined): string {
  if (!filter) return "";
  return ` WHERE ${duckQuote(filter.column)} ${filter.keep === "in" ? "IN" : "NOT IN"} (SELECT id FROM ${filter.sqlTable})`;
}

async function copyToParquet(duck: DuckDbConnection, select: string, out: string): Promise<number> {
  const r = await duck.query(`COPY (${select}) TO ${duckLiteral(out)} (FORMAT parquet, COMPRESSION zstd)`);
  const n = Number(r[0]?.Count ?? 0);
  if (n === 0) rmSync(out, { force: true });
  return n;
}

/**
 * Writes the data files of one format. Load files are JSON lines in canonical encoding, so the
 * jsonl formats copy them as they are (gzip on the way); parquet goes through DuckDB with the
 * table's column types. Every method returns whether it wrote a file: with no rows left, none is left behind.
 */
export class DataFileWriter {
  constructor(
    readonly format: DataFormat,
    private readonly duck: () => Promise<DuckDbConnection>,
  ) {}

  /** The rows of one load file (optionally filtered) as a data file at the local path `out`. */
  async fromLoadFile(columns: Column[], source: string, out: string, filter?: RowFilter, maxRowBytes = 0): Promise<boolean> {
    if (this.format === "parquet") {
      const select = `SELECT * FROM (${readJsonSelect(columns, [source], [], "", maxRowBytes)}) AS src${whereSql(filter)}`;
      return (await copyToParquet(await this.duck(), select, out)) > 0;
    }
    if (!filter && this.format === "jsonl") {
      copyFileSync(source, out);
      return true;
    }
    if (!filter) {
      await pipeline(createReadStream(source), createGzip(), createWriteStream(out));
      return true;
    }
    return (await filterJsonLines(source, false, out, this.format === "jsonl.gz", filter)) > 0;
  }

  /** A stored data file (local copy at `input`) without the rows `filter` drops, in its own format. */
  async rewrite(input: string, format: DataFormat, out: string, filter: RowFilter): Promise<boolean> {
    if (format === "parquet") {
      return (
        (await copyToParquet(await this.duck(), `SELECT * FROM read_parquet(${duckLiteral(input)})${whereSql(filter)}`, out)) > 0
      );
    }
    return (await filterJsonLines(input, format === "jsonl.gz", out, format === "jsonl.gz", filter)) > 0;
  }

  /** A stored data file with `mark` set in the rows it picks (the column is added to a parquet file written before it existed). */
  async mark(input: string, format: DataFormat, out: string, mark: RowMark): Promise<void> {
    if (format !== "parquet") {
      await markJsonLines(input, format === "jsonl.gz", out, mark);
      return;
    }
    const duck = await this.duck();
    const file = `read_parquet(${duckLiteral(input)})`;
    const present = (await duck.query(`DESCRIBE SELECT * FROM ${file}`)).some((r) => r.column_name === mark.column.name);
    const col = duckQuote(mark.column.name);
    const type = duckColumnType(mark.column);
    const picked = `${duckQuote(mark.filter.column)} IN (SELECT id FROM ${mark.filter.sqlTable})`;
    const value = `CASE WHEN ${picked} THEN CAST(${duckLiteral(mark.value)} AS ${type}) ELSE ${present ? col : `CAST(NULL AS ${type})`} END`;
    const select = present ? `SELECT * REPLACE (${value} AS ${col}) FROM ${file}` : `SELECT *, ${value} AS ${col} FROM ${file}`;
    await copyToParquet(duck, select, out);
  }
}
