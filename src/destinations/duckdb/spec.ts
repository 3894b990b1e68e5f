import { configSpec, field } from "../../config/spec.js";

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
  },
});
