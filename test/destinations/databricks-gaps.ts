import type { CaseName } from "./conformance.js";

/**
 * Conformance cases the local engine (Apache Spark 4.3 with Parquet tables, no Delta Lake) cannot
 * run, each with what it lacks. None since merge, reconciliation and the state trim delete and
 * update by rebuilding a non-Delta table (src/destinations/databricks/row-changes.ts); what the
 * local engine cannot prove (the Delta DML those become on Databricks, PUT, COPY INTO) README and
 * DEVELOPERS list, and databricks-sql.test.ts checks as SQL text.
 */
export const SPARK_ENGINE_GAPS: Partial<Record<CaseName, string>> = {};
