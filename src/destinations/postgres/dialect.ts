import type { ReservedSchemas } from "../dataset-name.js";
import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { Column, Table } from "../../schema/types.js";
import { logger } from "../../util/logger.js";
import type { SqlDialect } from "../sql/dialect.js";
import { LoadError } from "../sql/job-client.js";
import type { LoadJob } from "../destination.js";
import { BadLoadLine, CopyRowEncoder, copyChunksAsIs, copyChunksFromFile } from "./copy-text.js";
import type { PgSession } from "./session.js";

const log = logger("destinations:postgres");

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function literal(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

/** dlt's Postgres types (reference §4.3). */
function columnType(c: Column): string {
  switch (c.dataType) {
    case "text":
      return "varchar";
    case "bigint":
      return "bigint";
    case "double":
      return "double precision";
    case "bool":
      return "boolean";
    case "timestamp":
      return c.timezone === false ? "timestamp without time zone" : "timestamp with time zone";
    case "date":
      return "date";
    case "decimal":
      return `numeric(${c.precision ?? 38},${c.scale ?? 9})`;
    case "json":
      return "jsonb";
    case "binary":
      return "bytea";
  }
}

/**
 * COPY every job file into `target`, one COPY per file so that an error names the file and line.
 * copy_text files (what normalize writes for Postgres) stream to COPY as they are, with their
 * own column lists; jsonl files (packages normalized for another format) are encoded on the way.
 */
async function copyFiles(conn: PgSession, target: string, table: Table, jobs: LoadJob[]): Promise<void> {
  const columns = Object.values(table.columns);
  const encoder = new CopyRowEncoder(columns);
  for (const job of jobs) {
    const file = job.path;
    try {
      if (job.format === "copy_text") {
        await conn.copyRows(target, (job.columns ?? []).map(quote), copyChunksAsIs(file));
      } else {
        await conn.copyRows(
          target,
          columns.map((c) => quote(c.name)),
          copyChunksFromFile(file, encoder),
        );
      }
    } catch (err) {
      if (err instanceof BadLoadLine) {
        throw new LoadError(`table ${table.name}: load file ${file} ${err.message}`, {
          cause: err,
          hint: "the load package is damaged; drop it with `sage-pipeline pipeline <name> drop-pending-packages` and run again",
        });
      }
      const line = (err as { copyLine?: number } | null)?.copyLine;
      const detail = err instanceof Error ? err.message : String(err);
      throw new LoadError(
        `table ${table.name}: Postgres rejected load file ${basename(file)}${line !== undefined ? ` at line ${line}` : ""}: ${detail}`,
        {
          cause: err,
          hint: "the package stays pending and nothing of it was committed; fix the data or the column hints and run again",
        },
      );
    }
  }
  if (encoder.nulStripped > 0) {
    log.warn(
      `table ${table.name}: removed ${encoder.nulStripped} NUL character(s) from text and json values (Postgres cannot store them)`,
    );
  }
}

/** A stable 64-bit lock key per dataset for pg_advisory_xact_lock. */
function lockKey(datasetName: string): string {
  return createHash("sha256").update(`sage-pipeline:${datasetName}`).digest().readBigInt64BE(0).toString();
}

/** Schema names a Postgres (and Redshift) dataset cannot take. */
export const POSTGRES_RESERVED_SCHEMAS: ReservedSchemas = {
  names: ["information_schema", "pg_catalog"],
  prefix: "pg_",
  ignoreCase: false,
};

export const postgresDialect: SqlDialect<PgSession> = {
  name: "postgres",
  quote,
  literal,
  columnType,
  addColumn: (qualified, c) => `ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS ${quote(c.name)} ${columnType(c)}`,
  // COPY keeps file order; merge's staging tables are temporary (not WAL-logged, gone with the session).
  ingest: { kind: "copy", copy: copyFiles },
  lockDatasetSql: (datasetName) => `SELECT pg_advisory_xact_lock(${lockKey(datasetName)})`,
};
