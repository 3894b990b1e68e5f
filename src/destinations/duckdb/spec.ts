import { configSpec, field } from "../../config/spec.js";

const MEMORY_SIZE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/** `[destination.duckdb]`. */
export const DUCKDB_SPEC = configSpec({
  title: "DuckDB destination",
  section: ["destination", "duckdb"],
  fields: {
    credentials: field.string({
      doc: "path of the database file (`:memory:` for a database that lives as long as the process)",
      defaultDoc: "<pipeline_name>.duckdb in the current directory",
      // Never the bare `credentials` key (or a CREDENTIALS variable another tool set).
      lookup: "section",
    }),
    memoryLimit: field.string({
      doc: "DuckDB's `memory_limit` while loading into a database file (a size such as `512MB` or `4GB`); past it DuckDB spills to `<file>.tmp`. Without a limit DuckDB keeps up to 80% of RAM cached and a load's memory grows with its package",
      defaultDoc: "96MB per core, at least 192MB (an in-memory database gets DuckDB's own default)",
      example: "1GB",
      check: (v) =>
        MEMORY_SIZE.test(v) ? undefined : "must be a size such as 512MB or 4GB (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)",
      lookup: "section",
    }),
  },
});
