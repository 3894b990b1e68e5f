import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { basename, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Column, Table } from "../../schema/types.js";
import { toNaiveUtc } from "../../writers/copy-text.js";
import type { LoadJob } from "../destination.js";
import { loadRows } from "../redshift/load-rows.js";
import type { StagedFile } from "../staging.js";
import { LoadError } from "../sql/job-client.js";
import type { SnowflakeConnection } from "./connection.js";
import type { StageFiles } from "./stage-files.js";

/** The one VARIANT column of a raw staging table: each line of a load file is one row. */
const RAW = '"V"';

/**
 * A load file as it is uploaded: null values dropped (an absent key reads as SQL NULL, while a
 * JSON null would be a VARIANT null, which is not NULL in Snowflake), naive timestamps at their
 * UTC wall time (casting an offset timestamp to TIMESTAMP_NTZ would keep its local wall time).
 */
async function writeStageFile(table: Table, job: LoadJob, out: string): Promise<void> {
  const naive = Object.values(table.columns)
    .filter((c) => c.dataType === "timestamp" && c.timezone === false)
    .map((c) => c.name);
  async function* lines() {
    for await (const row of loadRows(table.name, job)) {
      const kept = new Map(Object.entries(row).filter(([, v]) => v !== null));
      for (const k of naive) {
        const v = kept.get(k);
        if (typeof v === "string") kept.set(k, toNaiveUtc(v));
      }
      yield JSON.stringify(Object.fromEntries(kept)) + "\n";
    }
  }
  await pipeline(Readable.from(lines()), createWriteStream(out));
}

/** `"V":"col"` cast to the column's type: how one column is read from a raw staging row. */
export function castFromRaw(c: Column, column: string = c.name): string {
  const path = `${RAW}:"${column.replace(/"/g, '""')}"`;
  switch (c.dataType) {
    case "text":
      return `${path}::VARCHAR`;
    case "bigint":
      return `${path}::NUMBER(19,0)`;
    case "double":
      return `${path}::FLOAT`;
    case "bool":
      return `${path}::BOOLEAN`;
    case "timestamp":
      return c.timezone === false ? `${path}::TIMESTAMP_NTZ` : `${path}::TIMESTAMP_TZ`;
    case "date":
      return `${path}::DATE`;
    case "decimal":
      return `${path}::NUMBER(${c.precision ?? 38},${c.scale ?? 9})`;
    case "json":
      return path;
    case "binary":
      return `BASE64_DECODE_BINARY(${path}::VARCHAR)`;
  }
}

/** `INSERT INTO <target> (<columns>) SELECT <casts> FROM <raw>`: DML only, so it runs inside the load transaction. */
export function insertFromRawSql(target: string, table: Table, raw: string): string {
  const cols = Object.values(table.columns);
  return `INSERT INTO ${target} (${cols.map((c) => `"${c.name.toUpperCase().replace(/"/g, '""')}"`).join(", ")}) SELECT ${cols
    .map((c) => castFromRaw(c))
    .join(", ")} FROM ${raw}`;
}

/** `SELECT <casts> AS <columns> FROM <raw>`: a raw table read as the table's columns (merge's source). */
export function selectFromRawSql(table: Table, raw: string): string {
  const cols = Object.values(table.columns);
  return `SELECT ${cols.map((c) => `${castFromRaw(c)} AS "${c.name.toUpperCase().replace(/"/g, '""')}"`).join(", ")} FROM ${raw}`;
}

/**
 * Every job file of `table`, rewritten for COPY into `scratch` (writeStageFile), put where COPY
 * reads it (`files`: the internal stage or the staging bucket), then COPY'd into a new temporary
 * table of one VARIANT column; returns that table's name. Runs before the load transaction (the
 * temporary table's DDL and PUT would commit it).
 */
export async function stageRawTable(
  conn: SnowflakeConnection,
  files: StageFiles,
  scratch: string,
  table: Table,
  jobs: LoadJob[],
): Promise<string> {
  const staged: StagedFile[] = [];
  for (const job of jobs) {
    // Named for what it holds: the rewrite is plain JSON lines, whatever the load file's compression.
    const file = basename(job.file).replace(/\.gz$/, "");
    const local = join(scratch, file);
    await writeStageFile(table, job, local);
    staged.push({ file, path: local });
  }
  const source = await files.put(table, staged);
  const raw = `"_DLT_RAW_${randomBytes(6).toString("hex").toUpperCase()}"`;
  await conn.execute(`CREATE TEMPORARY TABLE ${raw} (${RAW} VARIANT)`);
  try {
    await conn.execute(`COPY INTO ${raw} FROM ${source.sql} FILE_FORMAT = (TYPE = 'JSON')`);
  } catch (err) {
    const e = err as { message?: string; code?: unknown };
    const message = source.redact(e.message ?? String(err));
    // The cause is a copy with the message redacted and the driver's code kept (it says whether a
    // retry may help): the engine's own error may quote the statement, credentials and all.
    const cause = Object.assign(new Error(message), e.code !== undefined ? { code: e.code } : {});
    throw new LoadError(`table ${table.name}: COPY INTO from ${source.display} failed: ${message}`, {
      cause,
      hint: `the package stays pending and nothing of it was committed; check that Snowflake may read ${files.display}, fix the data or the column hints, and run again`,
    });
  }
  return raw;
}
