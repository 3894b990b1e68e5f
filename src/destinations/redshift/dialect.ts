import type { Column, Table } from "../../schema/types.js";
import { logger } from "../../util/logger.js";
import type { LoadJob } from "../destination.js";
import type { PgSession } from "../postgres/session.js";
import type { SqlDialect } from "../sql/dialect.js";
import { LoadError } from "../sql/job-client.js";
import { type ValueSpelling, REDSHIFT_SPELLING, ValuesEncoder, insertBatches } from "./insert-values.js";
import { loadRows } from "./load-rows.js";
import { type RedshiftStaging, copyViaStaging } from "./s3-copy.js";

const log = logger("destinations:redshift");

/** Redshift refuses statements over 16 MB; 4 MB keeps a batch well under it and the leader node's memory low. */
export const INSERT_BATCH_BYTES = 4 << 20;

/**
 * What differs between Redshift and the Postgres server the tests run its SQL on: the two
 * types Postgres lacks and how their values are spelled. Redshift's own is REDSHIFT_TYPES.
 */
export interface RedshiftTypes {
  readonly json: string;
  readonly binary: string;
  readonly spelling: ValueSpelling;
}

export const REDSHIFT_TYPES: RedshiftTypes = { json: "super", binary: "varbyte", spelling: REDSHIFT_SPELLING };

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function literal(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** VARCHAR(MAX): Redshift's longest text. */
export const REDSHIFT_MAX_VARCHAR_BYTES = 65535;

/** dlt's Redshift types: VARCHAR(MAX) is 65535 bytes, money NUMERIC(38,9), JSON as SUPER. */
function columnTypeOf(types: RedshiftTypes) {
  return (c: Column): string => {
    switch (c.dataType) {
      case "text":
        return `varchar(${REDSHIFT_MAX_VARCHAR_BYTES})`;
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
        return types.json;
      case "binary":
        return types.binary;
    }
  };
}

function warnNul(table: string, n: number): void {
  if (n > 0) log.warn(`table ${table}: removed ${n} NUL character(s) from text and json values (Redshift cannot store them)`);
}

/** Multi-row INSERTs of every job's rows, in file order, each statement bounded in size. */
async function insertJobs(conn: PgSession, types: RedshiftTypes, target: string, table: Table, jobs: LoadJob[]): Promise<void> {
  const columns = Object.values(table.columns);
  const encoder = new ValuesEncoder(columns, types.spelling);
  const head = `INSERT INTO ${target} (${columns.map((c) => quote(c.name)).join(", ")}) VALUES\n`;
  for (const job of jobs) {
    async function* tuples() {
      for await (const row of loadRows(table.name, job)) yield encoder.tuple(row);
    }
    try {
      for await (const sql of insertBatches(head, tuples(), INSERT_BATCH_BYTES)) await conn.execute(sql);
    } catch (err) {
      if (err instanceof LoadError) throw err;
      const detail = err instanceof Error ? err.message : String(err);
      throw new LoadError(`table ${table.name}: Redshift rejected rows of load file ${job.file}: ${detail}`, {
        cause: err,
        hint: "the package stays pending and nothing of it was committed; fix the data or the column hints and run again",
      });
    }
  }
  warnNul(table.name, encoder.nulStripped);
}

/**
 * The Redshift dialect on the shared SQL path. Rows go in by multi-row INSERT (Redshift has no
 * COPY FROM STDIN), or, with a staging bucket (one client's stager, s3-copy.ts), by one
 * `COPY ... FROM 's3://...'` per table. There is no dataset lock statement: Redshift runs every
 * transaction SERIALIZABLE, so of two loads racing for one package one aborts (error 1023, exit 1)
 * and its retry finds the package loaded.
 */
export function redshiftDialect(types: RedshiftTypes = REDSHIFT_TYPES, staging?: RedshiftStaging): SqlDialect<PgSession> {
  const columnType = columnTypeOf(types);
  return {
    name: "redshift",
    quote,
    literal,
    columnType,
    // Redshift has no ADD COLUMN IF NOT EXISTS; migrate adds only the columns the table lacks.
    addColumn: (qualified, c) => `ALTER TABLE ${qualified} ADD COLUMN ${quote(c.name)} ${columnType(c)}`,
    deleteWithoutAlias: true,
    maxTextBytes: REDSHIFT_MAX_VARCHAR_BYTES,
    ingest: {
      kind: "copy",
      copy: async (conn, target, table, jobs, loadId) => {
        if (!staging) return insertJobs(conn, types, target, table, jobs);
        let nul = 0;
        await copyViaStaging(
          (sql) => conn.execute(sql),
          staging,
          loadId,
          target,
          Object.values(table.columns).map((c) => quote(c.name)),
          table,
          jobs,
          (n) => (nul += n),
        );
        warnNul(table.name, nul);
      },
    },
  };
}
