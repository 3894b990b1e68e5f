import type { CaseName } from "./conformance.js";

/**
 * Conformance cases fakesnow 0.12.1 cannot run, each with what the emulator lacks (DEVELOPERS.md
 * "Snowflake" lists every gap, including those the destination works around).
 */
export const SNOWFLAKE_FAKESNOW_GAPS: Partial<Record<CaseName, string>> = {
  "read-only query session":
    "fakesnow runs queries in DuckDB and passes DuckDB's table functions through (read_text and read_csv read files on the emulator's host), which Snowflake does not have; the refusal of DML, DDL, stage commands and scripts is tested in snowflake-load.test.ts",
};
