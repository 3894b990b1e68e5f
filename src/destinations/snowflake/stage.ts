import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { basename, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Column, Table } from "../../schema/types.js";
import { toNaiveUtc } from "../../writers/copy-text.js";
import type { LoadJob } from "../destination.js";
import { loadRows } from "../redshift/load-rows.js";
import { LoadError } from "../sql/job-client.js";
import type { SnowflakeConnection } from "./connection.js";

/** Where the load files go: a named internal stage, and a local folder for the rewritten files. */
export interface SnowflakeStage {
  /** `"DATASET"."_DLT_STAGE"` or the configured stage name, as it follows `@`. */
  readonly name: string;
  /** A folder for the files as they are uploaded (removed by the client). */
  readonly scratch: string;
  /** Paths under the stage that this load put files to (removed after the commit unless kept). */
  readonly prefixes: string[];
}

/** The one VARIANT column of a raw staging table: each line of a load file is one row. */
const RAW = '"V"';

function quoteString(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

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
 * PUT every job file of `table` to a fresh path on the stage and COPY them into a new temporary
 * table of one VARIANT column; returns that table's name. Runs before the load transaction (both
 * the temporary table's DDL and PUT would commit it). A fresh path per call: a retried load never
 * reads an earlier attempt's files.
 */
export async function stageRawTable(
  conn: SnowflakeConnection,
  stage: SnowflakeStage,
  table: Table,
  jobs: LoadJob[],
): Promise<string> {
  const prefix = `${table.name.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 64)}/${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
  stage.prefixes.push(prefix);
  for (const job of jobs) {
    const local = join(stage.scratch, basename(job.path));
    await writeStageFile(table, job, local);
    try {
      // AUTO_COMPRESS=FALSE: the file is read as it was written (COPY's JSON format detects gzip itself).
      await conn.execute(
        `PUT ${quoteString(`file://${local}`)} @${stage.name}/${prefix}/ AUTO_COMPRESS = FALSE OVERWRITE = TRUE`,
      );
    } catch (err) {
      throw new LoadError(
        `table ${table.name}: PUT of load file ${basename(job.path)} to stage @${stage.name} failed: ${(err as Error).message}`,
        {
          cause: err,
          hint: "the package stays pending and nothing of it was committed; check that the role may write to the stage, then run again",
        },
      );
    }
  }
  const raw = `"_DLT_RAW_${randomBytes(6).toString("hex").toUpperCase()}"`;
  await conn.execute(`CREATE TEMPORARY TABLE ${raw} (${RAW} VARIANT)`);
  try {
    await conn.execute(`COPY INTO ${raw} FROM @${stage.name}/${prefix}/ FILE_FORMAT = (TYPE = 'JSON')`);
  } catch (err) {
    throw new LoadError(`table ${table.name}: COPY INTO from stage @${stage.name}/${prefix}/ failed: ${(err as Error).message}`, {
      cause: err,
      hint: "the package stays pending and nothing of it was committed; fix the data or the column hints and run again",
    });
  }
  return raw;
}
