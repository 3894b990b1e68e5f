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
      doc: "DuckDB's `memory_limit` for a database file, loads included (a size such as `512MB` or `4GB`); past it DuckDB spills to `<file>.tmp`. Without a limit DuckDB keeps up to 80% of RAM cached and a load's memory grows with its package. Set, it holds for every load: a package that needs more fails with exit 2 naming a size that would do",
      defaultDoc:
        "a load: read_json's buffers for its longest line plus what its tables' columns need (~0.7MB a column of the widest), on one thread (64MB and up), doubled on Out of Memory up to half the machine's memory; otherwise 96MB per core, at least 192MB (an in-memory database gets DuckDB's own default)",
      example: "1GB",
      check: (v) =>
        MEMORY_SIZE.test(v) ? undefined : "must be a size such as 512MB or 4GB (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)",
      lookup: "section",
    }),
  },
});
