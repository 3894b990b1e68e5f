import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Column } from "../../schema/types.js";
import type { SqlDialect } from "../sql/dialect.js";
import type { SnowflakeConnection } from "./connection.js";
import { snowflakeLiteral } from "./literal.js";
import { insertFromRawSql, stageRawTable } from "./stage.js";
import { InternalStage } from "./stage-files.js";

export { snowflakeLiteral } from "./literal.js";

/**
 * dlt's Snowflake naming: identifiers are upper-cased and quoted (`invoice_lines` is created as
 * `"INVOICE_LINES"`), so unquoted SQL (`select id from invoice_lines`) finds them as Snowflake
 * folds unquoted names to upper case. Names the pipeline makes are lower case, so nothing is lost;
 * result keys are lower-cased back (values.ts). Quotes inside a name are doubled.
 */
export function quoteSnowflake(identifier: string): string {
  return `"${identifier.toUpperCase().replace(/"/g, '""')}"`;
}

/** dlt's Snowflake types: money NUMBER(38,9), timestamps TIMESTAMP_TZ (NTZ when naive), JSON as VARIANT. */
export function snowflakeColumnType(c: Column): string {
  switch (c.dataType) {
    case "text":
      return "VARCHAR";
    case "bigint":
      return "NUMBER(19,0)";
    case "double":
      return "FLOAT";
    case "bool":
      return "BOOLEAN";
    case "timestamp":
      return c.timezone === false ? "TIMESTAMP_NTZ" : "TIMESTAMP_TZ";
    case "date":
      return "DATE";
    case "decimal":
      return `NUMBER(${c.precision ?? 38},${c.scale ?? 9})`;
    case "json":
      return "VARIANT";
    case "binary":
      return "BINARY";
  }
}

/**
 * The Snowflake dialect (`stageName`: the stage load files are PUT to). Rows go in by `PUT` to a stage and `COPY INTO` a temporary table of one
 * VARIANT column, then `INSERT ... SELECT` with a cast per column (stage.ts). `ddlCommits`: any
 * DDL statement commits an open Snowflake transaction, so the shared merge SQL keeps its key set
 * in a subquery instead of a temporary table (the client stages everything before BEGIN).
 */
export function snowflakeDialect(stageName: string): SqlDialect<SnowflakeConnection> {
  return {
    name: "snowflake",
    quote: quoteSnowflake,
    literal: snowflakeLiteral,
    columnType: snowflakeColumnType,
    // Snowflake has ADD COLUMN IF NOT EXISTS; migrate adds only missing columns anyway.
    addColumn: (qualified, c) =>
      `ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS ${quoteSnowflake(c.name)} ${snowflakeColumnType(c)}`,
    ddlCommits: true,
    ingest: {
      kind: "copy",
      // Outside a transaction only (it creates and drops a temporary table); the load client
      // stages before BEGIN and inserts inside, using the two halves directly.
      copy: async (conn, target, table, jobs) => {
        const scratch = mkdtempSync(join(tmpdir(), "snowflake-stage-"));
        try {
          const raw = await stageRawTable(conn, await InternalStage.open(conn, stageName, false), scratch, table, jobs);
          try {
            await conn.execute(insertFromRawSql(target, table, raw));
          } finally {
            await conn.execute(`DROP TABLE IF EXISTS ${raw}`);
          }
        } finally {
          rmSync(scratch, { recursive: true, force: true });
        }
      },
    },
  };
}
